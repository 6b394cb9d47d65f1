import { AgentBridgeError, handshakeRefused } from "./errors.js";
import { SUBPROTOCOL } from "./protocol.js";

/** The part of the browser's WebSocket the client uses; the `ws` package's matches too. */
export interface WebSocketLike {
  readonly readyState: number;
  onopen: ((ev: unknown) => void) | null;
  onmessage: ((ev: { data: unknown }) => void) | null;
  onclose: ((ev: { code: number; reason: string }) => void) | null;
  onerror: ((ev: unknown) => void) | null;
  send(data: string): void;
  close(code?: number, reason?: string): void;
}
export type WebSocketConstructor = new (url: string, protocols: string[]) => WebSocketLike;

export const OPEN = 1;
const ABNORMAL_CLOSURE = 1006;

export interface SocketHandlers {
  open(): void;
  message(data: unknown): void;
  /** The socket closed; refused is set when it never opened (a refused handshake). */
  closed(refused: AgentBridgeError | undefined): void;
}

/**
 * Opens a WebSocket carrying the token. Browsers cannot set headers on a WebSocket, so the
 * token rides in the subprotocol list; the server echoes only agentbridge.v1. Returns an error
 * instead of a socket when the constructor refuses the URL or the token.
 */
export function openSocket(Ctor: WebSocketConstructor, url: string, token: string, on: SocketHandlers): WebSocketLike | AgentBridgeError {
  let ws: WebSocketLike;
  try {
    ws = new Ctor(url, [SUBPROTOCOL, `bearer.${token}`]);
  } catch {
    // The constructor's own message may quote the subprotocol, i.e. the token: not passed on.
    return new AgentBridgeError("handshake_refused",
      `Could not open a WebSocket to ${url}: the URL or the token is malformed (a token must be printable ASCII without spaces or commas).`);
  }
  let opened = false;
  ws.onopen = () => {
    opened = true;
    on.open();
  };
  ws.onmessage = (ev) => on.message(ev.data);
  ws.onerror = () => {}; // onclose follows with the code
  // Browsers hide why a handshake failed: a 401 and an unreachable host both end in 1006
  // before open.
  ws.onclose = (ev) => on.closed(!opened && ev.code === ABNORMAL_CLOSURE ? handshakeRefused(url) : undefined);
  return ws;
}
