import type { AnyEnvelope } from "@agentbridge/client";

/** The envelopes of a realistic run, as a tab receives them. */
export function exampleRun(runId = "run-1", firstOffset = 1): AnyEnvelope[] {
  const steps: Array<Pick<AnyEnvelope, "type" | "payload">> = [
    { type: "agent_started", payload: { input: { question: "Which is larger, Australia or the contiguous US?" } } },
    { type: "agent_thinking", payload: { text: "I should compare the two areas. " } },
    { type: "agent_thinking", payload: { text: "Let me search for current figures." } },
    { type: "tool_executing", payload: { tool: "web_search", call_id: "call_1", arguments: { query: "area of Australia vs contiguous US" } } },
    { type: "tool_completed", payload: { tool: "web_search", call_id: "call_1", result: { results: ["Australia: 7,688,287 km²", "Contiguous US: 8,080,470 km²"] } } },
    { type: "message_started", payload: { message_id: "msg_1", role: "assistant" } },
    { type: "message_delta", payload: { message_id: "msg_1", delta: "The contiguous United States " } },
    { type: "message_delta", payload: { message_id: "msg_1", delta: "is slightly larger: " } },
    { type: "message_delta", payload: { message_id: "msg_1", delta: "8.08 million km² against 7.69 million." } },
    { type: "message_completed", payload: { message_id: "msg_1" } },
    { type: "agent_completed", payload: { result: { answer: "The contiguous United States." } } },
  ] as Array<Pick<AnyEnvelope, "type" | "payload">>;
  return steps.map((s, seq) => ({
    ...s,
    event_id: `evt_${runId}_${seq}`,
    offset: firstOffset + seq,
    run_id: runId,
    thread_id: "thread-demo",
    agent_name: "researcher",
    seq,
    timestamp: new Date(Date.UTC(2026, 0, 20, 11, 55, seq)).toISOString(),
  })) as AnyEnvelope[];
}
