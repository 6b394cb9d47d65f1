import type { AnyEnvelope, RunState } from "@agentbridge/client";
import { h, json } from "./dom.js";

/** One card of a run's timeline and the envelopes it shows. */
interface Card {
  kind: "started" | "reasoning" | "tool" | "message" | "completed" | "error";
  title: string;
  status?: string;
  body: Array<Node | string>;
  envelopes: AnyEnvelope[];
}

/**
 * Renders one run: a card per step, in order. A tool call is one card that goes from
 * pending to done; a message is one card that grows with its deltas; consecutive reasoning
 * chunks share a card. Each card shows its raw envelopes on demand.
 */
export function renderRun(run: RunState): HTMLElement {
  const cards = cardsOf(run);
  const title = h("header", {}, h("code", {}, run.runId), run.agentName ? ` · ${run.agentName}` : "", " ",
    h("span", { class: "badge", "data-status": run.status }, run.status));
  const list = h("ol", { class: "cards" }, ...cards.map(renderCard));
  const raw = h("details", { class: "raw-run" }, h("summary", {}, `all ${run.events.length} envelopes`),
    ...run.events.map(rawEnvelope));
  return h("article", { class: "run", "data-run-id": run.runId, "data-status": run.status, "data-events": String(run.events.length) },
    title, list, h("div", { class: "cards" }, raw));
}

function cardsOf(run: RunState): Card[] {
  const cards: Card[] = [];
  const tools = new Map<string, Card>();
  const messages = new Map<string, Card>();
  let reasoning: Card | undefined;
  for (const env of run.events) {
    if (env.type !== "agent_thinking") reasoning = undefined;
    switch (env.type) {
      case "agent_started":
        cards.push({ kind: "started", title: "started", body: env.payload.input === undefined ? [] : [pre(env.payload.input)], envelopes: [env] });
        break;
      case "agent_thinking":
        if (!reasoning) cards.push((reasoning = { kind: "reasoning", title: "reasoning", body: [], envelopes: [] }));
        reasoning.envelopes.push(env);
        break;
      case "tool_executing": {
        const id = env.payload.call_id ?? env.event_id;
        const card: Card = { kind: "tool", title: `tool ${env.payload.tool}`, status: "pending", body: [], envelopes: [env] };
        tools.set(id, card);
        cards.push(card);
        break;
      }
      case "tool_completed": {
        const p = env.payload;
        const card = (p.call_id !== undefined ? tools.get(p.call_id) : undefined) ??
          [...tools.values()].find((c) => c.status === "pending" && c.title === `tool ${p.tool}`);
        if (card) card.envelopes.push(env);
        else cards.push({ kind: "tool", title: `tool ${p.tool}`, envelopes: [env], body: [] });
        break;
      }
      case "message_started":
      case "message_delta":
      case "message_completed": {
        const id = env.payload.message_id;
        let card = messages.get(id);
        if (!card) {
          messages.set(id, (card = { kind: "message", title: "message", body: [], envelopes: [] }));
          cards.push(card);
        }
        card.envelopes.push(env);
        break;
      }
      case "agent_completed":
        cards.push({ kind: "completed", title: "completed", body: env.payload.result === undefined ? [] : [pre(env.payload.result)], envelopes: [env] });
        break;
      case "agent_error":
        cards.push({ kind: "error", title: `error${env.payload.code ? ` (${env.payload.code})` : ""}`, body: [h("div", { class: "text" }, env.payload.message)], envelopes: [env] });
        break;
    }
  }
  for (const card of cards) fillFromState(card, run);
  return cards;
}

/** Takes the text and outcome of reasoning, tools and messages from the run's state. */
function fillFromState(card: Card, run: RunState): void {
  const first = card.envelopes[0];
  if (card.kind === "reasoning") {
    const text = card.envelopes.map((e) => (e.type === "agent_thinking" ? e.payload.text : "")).join("");
    card.body = [h("div", { class: "text" }, text)];
  } else if (card.kind === "tool" && first) {
    const callId = first.type === "tool_executing" || first.type === "tool_completed" ? (first.payload.call_id ?? first.event_id) : "";
    const call = run.toolCalls.find((c) => c.callId === callId);
    card.status = call?.status ?? "pending";
    card.body = [];
    if (call?.arguments !== undefined) card.body.push(h("div", { class: "kind" }, "arguments"), pre(call.arguments));
    if (call?.status === "completed") card.body.push(h("div", { class: "kind" }, "result"), pre(call.result ?? null));
    if (call?.status === "error") card.body.push(h("div", { class: "kind" }, "error"), h("div", { class: "text" }, call.error ?? ""));
  } else if (card.kind === "message" && first && "message_id" in first.payload) {
    const id = first.payload.message_id;
    const m = run.messages.find((x) => x.messageId === id);
    card.title = `message · ${m?.role ?? "assistant"}`;
    card.status = m?.complete ? "complete" : "streaming";
    card.body = [h("div", { class: "text" }, m?.text ?? "")];
  }
}

function renderCard(card: Card): HTMLElement {
  return h("li", { class: "card", "data-kind": card.kind, "data-status": card.status },
    h("div", { class: "kind" }, card.title, card.status ? ` · ${card.status}` : ""),
    ...card.body,
    h("details", { class: "raw" }, h("summary", {}, card.envelopes.length === 1 ? "raw envelope" : `${card.envelopes.length} raw envelopes`),
      ...card.envelopes.map(rawEnvelope)));
}

function rawEnvelope(env: AnyEnvelope): HTMLElement {
  return h("pre", { class: "envelope", "data-event-id": env.event_id, "data-seq": env.seq?.toString(), "data-offset": env.offset?.toString() }, json(env));
}

function pre(value: unknown): HTMLElement {
  return h("pre", {}, json(value));
}
