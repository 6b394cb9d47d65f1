import { EventType, type BaseEvent } from "@ag-ui/core";
import type { AnyEnvelope } from "@agentbridge/client";

/**
 * Translates one run's agentbridge events, handed on in order, into AG-UI events that pass
 * @ag-ui/client's verifier: every stream opened is closed before the next kind of event, and
 * before the run ends.
 *
 *   agent_started      RUN_STARTED
 *   agent_thinking     REASONING_START, REASONING_MESSAGE_START, _CONTENT per chunk, _END, REASONING_END
 *   tool_executing     TOOL_CALL_START, TOOL_CALL_ARGS (the arguments as JSON), TOOL_CALL_END
 *   tool_completed     TOOL_CALL_RESULT (the result as JSON, or the error)
 *   message_started    TEXT_MESSAGE_START
 *   message_delta      TEXT_MESSAGE_CONTENT
 *   message_completed  TEXT_MESSAGE_END (with the text as content when no delta came)
 *   agent_completed    RUN_FINISHED
 *   agent_error        RUN_ERROR
 */
export class RunTranslator {
  private started = false;
  private ended = false;
  /** The open reasoning message's id while agent_thinking chunks stream. */
  private reasoningId: string | undefined;
  /** Open text messages: id -> whether any content was sent. */
  private readonly openMessages = new Map<string, boolean>();
  /** Tool calls without call_id, by tool name, oldest first, to pair results with. */
  private readonly unnamedCalls = new Map<string, string[]>();

  constructor(readonly runId: string) {}

  /** Whether RUN_FINISHED or RUN_ERROR has been produced. */
  get done(): boolean {
    return this.ended;
  }

  translate(env: AnyEnvelope): BaseEvent[] {
    if (this.ended) return []; // nothing may follow the end of a run
    const out: BaseEvent[] = [];
    const base = { timestamp: toMillis(env.timestamp), rawEvent: env };
    const ids = { threadId: env.thread_id ?? env.run_id, runId: env.run_id };
    if (!this.started) {
      // A page that joined late may never see agent_started; AG-UI needs its RUN_STARTED.
      this.started = true;
      out.push({ type: EventType.RUN_STARTED, ...ids, ...base } as BaseEvent);
      if (env.type === "agent_started") return out;
    }
    if (env.type !== "agent_thinking") out.push(...this.closeReasoning());
    switch (env.type) {
      case "agent_started":
        break; // a second start of the same run: nothing new to say
      case "agent_thinking":
        if (!env.payload.text) break;
        if (this.reasoningId === undefined) {
          this.reasoningId = `${env.event_id}-reasoning`;
          out.push(
            { type: EventType.REASONING_START, messageId: this.reasoningId, ...base } as BaseEvent,
            { type: EventType.REASONING_MESSAGE_START, messageId: this.reasoningId, role: "reasoning", ...base } as BaseEvent,
          );
        }
        out.push({ type: EventType.REASONING_MESSAGE_CONTENT, messageId: this.reasoningId, delta: env.payload.text, ...base } as BaseEvent);
        break;
      case "tool_executing": {
        const toolCallId = env.payload.call_id ?? env.event_id;
        if (env.payload.call_id === undefined) this.unnamedCalls.set(env.payload.tool, [...(this.unnamedCalls.get(env.payload.tool) ?? []), toolCallId]);
        out.push(
          { type: EventType.TOOL_CALL_START, toolCallId, toolCallName: env.payload.tool, ...base } as BaseEvent,
          { type: EventType.TOOL_CALL_ARGS, toolCallId, delta: JSON.stringify(env.payload.arguments ?? {}), ...base } as BaseEvent,
          { type: EventType.TOOL_CALL_END, toolCallId, ...base } as BaseEvent,
        );
        break;
      }
      case "tool_completed": {
        const toolCallId = env.payload.call_id ?? this.unnamedCalls.get(env.payload.tool)?.shift() ?? env.event_id;
        const content = env.payload.error !== undefined ? `Error: ${env.payload.error}` : JSON.stringify(env.payload.result ?? null);
        out.push({ type: EventType.TOOL_CALL_RESULT, messageId: `${toolCallId}-result`, toolCallId, content, role: "tool", ...base } as BaseEvent);
        break;
      }
      case "message_started":
        if (!this.openMessages.has(env.payload.message_id)) {
          this.openMessages.set(env.payload.message_id, false);
          out.push({ type: EventType.TEXT_MESSAGE_START, messageId: env.payload.message_id, role: env.payload.role, ...base } as BaseEvent);
        }
        break;
      case "message_delta":
        if (!env.payload.delta) break;
        out.push(...this.openMessage(env.payload.message_id, base));
        this.openMessages.set(env.payload.message_id, true);
        out.push({ type: EventType.TEXT_MESSAGE_CONTENT, messageId: env.payload.message_id, delta: env.payload.delta, ...base } as BaseEvent);
        break;
      case "message_completed": {
        out.push(...this.openMessage(env.payload.message_id, base));
        if (!this.openMessages.get(env.payload.message_id) && env.payload.text) {
          out.push({ type: EventType.TEXT_MESSAGE_CONTENT, messageId: env.payload.message_id, delta: env.payload.text, ...base } as BaseEvent);
        }
        this.openMessages.delete(env.payload.message_id);
        out.push({ type: EventType.TEXT_MESSAGE_END, messageId: env.payload.message_id, ...base } as BaseEvent);
        break;
      }
      case "agent_completed":
        out.push(...this.closeMessages(base));
        this.ended = true;
        // RUN_FINISHED's result may be absent but never null.
        out.push({ type: EventType.RUN_FINISHED, ...ids, ...(env.payload.result == null ? {} : { result: env.payload.result }), ...base } as BaseEvent);
        break;
      case "agent_error":
        out.push(...this.closeMessages(base));
        this.ended = true;
        out.push({ type: EventType.RUN_ERROR, message: env.payload.message, ...(env.payload.code ? { code: env.payload.code } : {}), ...base } as BaseEvent);
        break;
    }
    return out;
  }

  private openMessage(messageId: string, base: object): BaseEvent[] {
    if (this.openMessages.has(messageId)) return [];
    this.openMessages.set(messageId, false); // its message_started was lost
    return [{ type: EventType.TEXT_MESSAGE_START, messageId, role: "assistant", ...base } as BaseEvent];
  }

  private closeReasoning(): BaseEvent[] {
    const messageId = this.reasoningId;
    if (messageId === undefined) return [];
    this.reasoningId = undefined;
    return [
      { type: EventType.REASONING_MESSAGE_END, messageId } as BaseEvent,
      { type: EventType.REASONING_END, messageId } as BaseEvent,
    ];
  }

  /** Ends the messages a run left open, so RUN_FINISHED may follow. */
  private closeMessages(base: object): BaseEvent[] {
    const out = [...this.openMessages.keys()].map((messageId) => ({ type: EventType.TEXT_MESSAGE_END, messageId, ...base }) as BaseEvent);
    this.openMessages.clear();
    return out;
  }
}

function toMillis(timestamp: string): number | undefined {
  const ms = Date.parse(timestamp);
  return Number.isFinite(ms) ? ms : undefined;
}
