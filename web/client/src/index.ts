export { AgentBridgeClient } from "./client.js";
export type { ClientOptions, ClientEvents, ConnectionStatus, WebSocketConstructor, WebSocketLike } from "./client.js";
export { AgentBridgeError, type ErrorKind } from "./errors.js";
export { backoffDelay, DEFAULT_BACKOFF, type BackoffOptions } from "./backoff.js";
export { OffsetTracker } from "./offsets.js";
export { RunSequencer } from "./ordering.js";
export { applyEvent, newRunState, type Message, type RunState, type RunStatus, type ToolCall } from "./runstate.js";
export { memoryStorage, type KeyValueStorage, type SavedState } from "./storage.js";
export * from "./protocol.js";
