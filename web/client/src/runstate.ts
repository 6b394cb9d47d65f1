import type { AnyEnvelope, Json, MessageRole } from "./protocol.js";

export type RunStatus = "started" | "running" | "completed" | "error";

export interface ToolCall {
  /** call_id, or the tool_executing event's id when the agent sent none. */
  callId: string;
  tool: string;
  arguments?: Json;
  status: "pending" | "completed" | "error";
  result?: Json;
  error?: string;
}

export interface Message {
  messageId: string;
  role: MessageRole;
  /** The deltas so far, or the completed message's text when it carried one. */
  text: string;
  complete: boolean;
}

/** What one run looks like after the events handed on so far, in order. */
export interface RunState {
  runId: string;
  threadId?: string;
  agentName?: string;
  status: RunStatus;
  input?: Json;
  result?: Json;
  error?: { message: string; code?: string };
  /** agent_thinking chunks concatenated. */
  reasoning: string;
  toolCalls: ToolCall[];
  messages: Message[];
  /** Every event of the run as handed on. */
  events: AnyEnvelope[];
}

export function newRunState(runId: string): RunState {
  return { runId, status: "started", reasoning: "", toolCalls: [], messages: [], events: [] };
}

/** Applies one event to its run's state, in place. */
export function applyEvent(run: RunState, env: AnyEnvelope): void {
  run.events.push(env);
  run.threadId ??= env.thread_id;
  run.agentName ??= env.agent_name;
  // A run's first event may not be agent_started (the page joined late); anything but the
  // end events means the run is going.
  if (run.status === "started" && env.type !== "agent_started") run.status = "running";
  switch (env.type) {
    case "agent_started":
      run.input = env.payload.input;
      break;
    case "agent_thinking":
      run.reasoning += env.payload.text ?? "";
      break;
    case "tool_executing": {
      const callId = env.payload.call_id ?? env.event_id;
      run.toolCalls.push({ callId, tool: env.payload.tool, arguments: env.payload.arguments, status: "pending" });
      break;
    }
    case "tool_completed": {
      const p = env.payload;
      // Without call_id, pair with the oldest pending call of that tool.
      const call =
        run.toolCalls.find((c) => p.call_id !== undefined && c.callId === p.call_id) ??
        run.toolCalls.find((c) => p.call_id === undefined && c.tool === p.tool && c.status === "pending");
      const target = call ?? { callId: p.call_id ?? env.event_id, tool: p.tool, status: "pending" as const };
      if (!call) run.toolCalls.push(target);
      target.status = p.error !== undefined ? "error" : "completed";
      target.result = p.result;
      target.error = p.error;
      break;
    }
    case "message_started":
      messageOf(run, env.payload.message_id).role = env.payload.role;
      break;
    case "message_delta":
      messageOf(run, env.payload.message_id).text += env.payload.delta ?? "";
      break;
    case "message_completed": {
      const m = messageOf(run, env.payload.message_id);
      if (typeof env.payload.text === "string") m.text = env.payload.text;
      m.complete = true;
      break;
    }
    case "agent_completed":
      run.status = "completed";
      run.result = env.payload.result;
      break;
    case "agent_error":
      run.status = "error";
      run.error = { message: env.payload.message, code: env.payload.code };
      break;
  }
}

/** The run's message with that id, created on first sight (its start may have been lost). */
function messageOf(run: RunState, messageId: string): Message {
  let m = run.messages.find((x) => x.messageId === messageId);
  if (!m) run.messages.push((m = { messageId, role: "assistant", text: "", complete: false }));
  return m;
}
