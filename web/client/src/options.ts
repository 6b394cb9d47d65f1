import { DEFAULT_BACKOFF, type BackoffOptions } from "./backoff.js";
import type { KeyValueStorage } from "./storage.js";
import type { WebSocketConstructor } from "./socket.js";

export interface ClientOptions {
  /** The WebSocket API with its stage: wss://abc.execute-api.us-east-1.amazonaws.com/prod. */
  url: string;
  /** Asked for a fresh token before every connect and reconnect. */
  token: () => string | Promise<string>;
  /** The user the token names; keys the saved position, so two users of one tab do not mix. */
  user?: string;
  /** Default globalThis.WebSocket; pass the `ws` package's under Node. */
  WebSocket?: WebSocketConstructor;
  /** Where the position survives reloads; default sessionStorage, null for nowhere. */
  storage?: KeyValueStorage | null;
  /** Keep-alive interval; API Gateway closes a connection idle for 10 minutes. Default 5 min. */
  pingIntervalMs?: number;
  /** Reconnect on our own after this long; API Gateway ends connections at 2 hours. Default 1h55m. */
  maxConnectionMs?: number;
  backoff?: Partial<BackoffOptions>;
  /** How long a run's event waits for a missing earlier seq before moving on. Default 1 s. */
  seqWaitMs?: number;
  /** Replay a run whose first event this page sees is not its start. Default true. */
  replayJoinedRuns?: boolean;
  /** Runs remembered for replay after a reload. Default 20. */
  rememberRuns?: number;
}

/** ClientOptions with every default applied, in this one place. */
export type ResolvedOptions = Required<Omit<ClientOptions, "user" | "storage" | "backoff" | "WebSocket">> & {
  backoff: BackoffOptions;
  WebSocket: WebSocketConstructor | undefined;
};

export function resolveOptions(o: ClientOptions): ResolvedOptions {
  return {
    url: o.url,
    token: o.token,
    WebSocket: o.WebSocket ?? (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket,
    pingIntervalMs: o.pingIntervalMs ?? 5 * 60_000,
    maxConnectionMs: o.maxConnectionMs ?? 115 * 60_000,
    backoff: { ...DEFAULT_BACKOFF, ...o.backoff },
    seqWaitMs: o.seqWaitMs ?? 1000,
    replayJoinedRuns: o.replayJoinedRuns ?? true,
    rememberRuns: o.rememberRuns ?? 20,
  };
}
