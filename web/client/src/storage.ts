/** Where a client keeps its position between page loads: sessionStorage's shape. */
export interface KeyValueStorage {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

/** What survives a reload: the stream position and the runs the page was showing. */
export interface SavedState {
  position: number;
  runs: string[];
}

/** The page's sessionStorage when there is one (per tab, survives reloads), else none. */
export function defaultStorage(): KeyValueStorage | undefined {
  try {
    const s = (globalThis as { sessionStorage?: KeyValueStorage }).sessionStorage;
    return s ?? undefined;
  } catch {
    return undefined; // sessionStorage throws when storage is disabled for the page
  }
}

export function memoryStorage(): KeyValueStorage {
  const m = new Map<string, string>();
  return {
    getItem: (k) => m.get(k) ?? null,
    setItem: (k, v) => void m.set(k, v),
    removeItem: (k) => void m.delete(k),
  };
}

export function loadState(storage: KeyValueStorage | undefined, key: string): SavedState | undefined {
  const raw = safely(() => storage?.getItem(key));
  if (!raw) return undefined;
  try {
    const v = JSON.parse(raw) as Partial<SavedState>;
    const position = Number.isSafeInteger(v.position) && (v.position as number) >= 0 ? (v.position as number) : 0;
    const runs = Array.isArray(v.runs) ? v.runs.filter((r): r is string => typeof r === "string") : [];
    return { position, runs };
  } catch {
    return undefined;
  }
}

export function saveState(storage: KeyValueStorage | undefined, key: string, state: SavedState): void {
  // A full or disabled storage must not break event delivery: losing the position only costs
  // a larger resume after the next reload.
  safely(() => storage?.setItem(key, JSON.stringify(state)));
}

function safely<T>(f: () => T): T | undefined {
  try {
    return f();
  } catch {
    return undefined;
  }
}
