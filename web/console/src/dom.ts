/** Builds an element. Text is always set as text: event payloads come from agents, not from us. */
export function h(tag: string, attrs: Record<string, string | undefined> = {}, ...children: Array<Node | string | undefined>): HTMLElement {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) if (v !== undefined) el.setAttribute(k, v);
  for (const c of children) if (c !== undefined) el.append(c);
  return el;
}

export function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const el = document.getElementById(id);
  if (!el) throw new Error(`#${id} missing from the page`);
  return el as T;
}

export function json(value: unknown): string {
  return JSON.stringify(value, null, 2);
}
