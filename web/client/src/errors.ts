/** What went wrong, for a page to branch on. */
export type ErrorKind =
  /** The socket closed before it opened (1006): the server refused $connect or is not there. */
  | "handshake_refused"
  /** The token provider threw or returned nothing. */
  | "token_unavailable"
  /** The server answered a control message with an error frame. */
  | "server_error"
  /** Events after the position expired from the server's history before this page resumed. */
  | "history_expired"
  /** A message that is not JSON. */
  | "invalid_message";

export class AgentBridgeError extends Error {
  override readonly name = "AgentBridgeError";
  constructor(
    readonly kind: ErrorKind,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/**
 * Browsers hide why a WebSocket handshake failed (a 401 and an unreachable host both end in
 * close 1006 before open), so the error names everything worth checking.
 */
export function handshakeRefused(url: string): AgentBridgeError {
  return new AgentBridgeError(
    "handshake_refused",
    `The server refused the WebSocket connection to ${url} (closed before it opened, code 1006). ` +
      "Check that the token is valid and not expired (the server refuses $connect without one), " +
      "that the URL and stage are right (e.g. ws://127.0.0.1:3001/dev), and that the server is running.",
  );
}
