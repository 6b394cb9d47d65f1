import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { verifyEvents } from "@ag-ui/client";
import { EventType, type BaseEvent } from "@ag-ui/core";
import { EventSchemas } from "@ag-ui/core/schemas";
import { from, lastValueFrom, toArray } from "rxjs";
import { WebSocket } from "ws";
import { memoryStorage, type AnyEnvelope, type ClientOptions } from "@agentbridge/client";
import { AgentBridgeAgent, RunQueue } from "../src/index.js";
import { FakeServer, waitFor } from "../../client/test/fake-server.js";
import { exampleRun } from "./example-run.js";

function translate(envelopes: AnyEnvelope[]): BaseEvent[] {
  const out: BaseEvent[] = [];
  const queue = new RunQueue((e) => out.push(e));
  for (const env of envelopes) queue.push(env);
  return out;
}

/** Runs events through @ag-ui/client's own verifier; rejects with its error. */
function verify(events: BaseEvent[]): Promise<BaseEvent[]> {
  return lastValueFrom(from(events).pipe(verifyEvents(), toArray()));
}

function assertSchemas(events: BaseEvent[]): void {
  for (const e of events) {
    const r = EventSchemas.safeParse(e);
    assert.ok(r.success, `${e.type} fails @ag-ui/core's schema: ${r.success ? "" : r.error.message}`);
  }
}

describe("AG-UI translation", () => {
  it("turns an example run into events that pass @ag-ui/core's schemas and @ag-ui/client's verifier", async () => {
    const events = translate(exampleRun());
    assertSchemas(events);
    assert.equal((await verify(events)).length, events.length);
    assert.deepEqual(events.map((e) => e.type), [
      EventType.RUN_STARTED,
      EventType.REASONING_START, EventType.REASONING_MESSAGE_START,
      EventType.REASONING_MESSAGE_CONTENT, EventType.REASONING_MESSAGE_CONTENT,
      EventType.REASONING_MESSAGE_END, EventType.REASONING_END,
      EventType.TOOL_CALL_START, EventType.TOOL_CALL_ARGS, EventType.TOOL_CALL_END,
      EventType.TOOL_CALL_RESULT,
      EventType.TEXT_MESSAGE_START,
      EventType.TEXT_MESSAGE_CONTENT, EventType.TEXT_MESSAGE_CONTENT, EventType.TEXT_MESSAGE_CONTENT,
      EventType.TEXT_MESSAGE_END,
      EventType.RUN_FINISHED,
    ]);
  });

  it("the verifier is strict: a run without its start is refused", async () => {
    const events = translate(exampleRun()).slice(1);
    await assert.rejects(verify(events), /First event must be 'RUN_STARTED'/);
  });

  it("tells concurrent runs one after another, so the stream still verifies", async () => {
    const a = exampleRun("run-a", 1);
    const b = exampleRun("run-b", 100);
    const interleaved = a.flatMap((e, i) => [e, b[i]!]);
    const events = translate(interleaved);
    assertSchemas(events);
    await verify(events);
    const starts = events.filter((e) => e.type === EventType.RUN_STARTED).map((e) => (e as unknown as { runId: string }).runId);
    assert.deepEqual(starts, ["run-a", "run-b"]);
  });

  it("closes what a failed run left open and ends it with RUN_ERROR", async () => {
    const run = exampleRun().slice(0, 7); // up to the first message delta
    run.push({ ...run[0]!, type: "agent_error", event_id: "evt_err", seq: 7, offset: 8, payload: { message: "quota", code: "quota_exhausted" } });
    const events = translate(run);
    assertSchemas(events);
    await verify(events);
    assert.deepEqual(events.slice(-2).map((e) => e.type), [EventType.TEXT_MESSAGE_END, EventType.RUN_ERROR]);
  });
});

describe("AgentBridgeAgent", () => {
  it("connectAgent attaches to a run over agentbridge, from its start, and assembles its messages", async () => {
    const server = await FakeServer.start();
    try {
      const run = exampleRun("run-1");
      const emit = (e: AnyEnvelope) => server.emit("alice", e.type, e.run_id, e.seq, e.payload);
      run.slice(0, 4).forEach(emit); // the run was under way before the page attached
      const agent = new AgentBridgeAgent({
        runId: "run-1",
        connection: {
          url: server.url, user: "alice", token: () => "good-alice-1", storage: memoryStorage(),
          WebSocket: WebSocket as unknown as ClientOptions["WebSocket"],
        },
      });
      const seen: string[] = [];
      const done = agent.connectAgent({}, { onEvent: ({ event }) => void seen.push(event.type) });
      await waitFor(() => seen.includes(EventType.TOOL_CALL_END), "the replayed start of the run");
      run.slice(4).forEach(emit); // and goes on live
      await done;
      assert.equal(seen.at(-1), EventType.RUN_FINISHED);
      const assistant = agent.messages.find((m) => m.role === "assistant" && typeof m.content === "string" && m.content.length > 0);
      assert.equal(assistant?.content, "The contiguous United States is slightly larger: 8.08 million km² against 7.69 million.");
      const tool = agent.messages.find((m) => m.role === "tool");
      assert.match(String(tool?.content), /7,688,287/);
    } finally {
      await server.stop();
    }
  });

  it("keeps the run whole across a dropped connection: resume is behind it", async () => {
    const server = await FakeServer.start();
    try {
      const run = exampleRun("run-2");
      const emit = (e: AnyEnvelope) => server.emit("alice", e.type, e.run_id, e.seq, e.payload);
      const agent = new AgentBridgeAgent({
        connection: {
          url: server.url, user: "alice", token: () => "good-alice-1", storage: memoryStorage(), backoff: { initialMs: 1, maxMs: 10 },
          WebSocket: WebSocket as unknown as ClientOptions["WebSocket"],
        },
      });
      const seen: string[] = [];
      const done = agent.connectAgent({}, { onEvent: ({ event }) => void seen.push(event.type) });
      await waitFor(() => server.open("alice").length === 1, "connection");
      run.slice(0, 6).forEach(emit);
      await waitFor(() => seen.includes(EventType.TEXT_MESSAGE_START), "the first half");
      server.dropAll();
      run.slice(6).forEach(emit); // while the agent is away
      await waitFor(() => seen.includes(EventType.RUN_FINISHED), "the end of the run");
      await agent.detachActiveRun();
      await done;
      const answer = agent.messages.find((m) => m.role === "assistant" && typeof m.content === "string" && m.content.length > 0);
      assert.equal(answer?.content, "The contiguous United States is slightly larger: 8.08 million km² against 7.69 million.");
      assert.equal(seen.filter((t) => t === EventType.TEXT_MESSAGE_CONTENT).length, 3, "each delta once");
    } finally {
      await server.stop();
    }
  });
});
