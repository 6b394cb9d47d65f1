import assert from "node:assert/strict";
import { afterEach, beforeEach, describe, it } from "node:test";
import { WebSocket } from "ws";
import { AgentBridgeClient, AgentBridgeError, memoryStorage, type AnyEnvelope, type ClientOptions, type KeyValueStorage } from "../src/index.js";
import { FakeServer, waitFor } from "./fake-server.js";

let server: FakeServer;
const clients: AgentBridgeClient[] = [];

beforeEach(async () => {
  server = await FakeServer.start();
});
afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await server.stop();
});

interface Harness {
  client: AgentBridgeClient;
  /** Events handed on, in order. */
  got: AnyEnvelope[];
  errors: AgentBridgeError[];
  tokenCalls: () => number;
}

function connect(user = "alice", opts: Partial<ClientOptions> & { storage?: KeyValueStorage } = {}): Harness {
  let calls = 0;
  const client = new AgentBridgeClient({
    url: server.url,
    user,
    token: async () => `good-${user}-${++calls}`,
    WebSocket: WebSocket as unknown as ClientOptions["WebSocket"],
    storage: opts.storage ?? memoryStorage(),
    backoff: { initialMs: 1, maxMs: 20 },
    ...opts,
  });
  clients.push(client);
  const h: Harness = { client, got: [], errors: [], tokenCalls: () => calls };
  client.on("event", (env) => h.got.push(env));
  client.on("error", (e) => h.errors.push(e));
  client.start();
  return h;
}

const ids = (events: AnyEnvelope[]) => events.map((e) => `${e.run_id}:${e.seq ?? "-"}:${e.type}`);

/** Emits a whole example run for user, numbered from seq 0. */
function playRun(user: string, runId: string, skip: number[] = []): void {
  const steps: Array<[AnyEnvelope["type"], object]> = [
    ["agent_started", { input: { question: "Capital of Australia?" } }],
    ["agent_thinking", { text: "Let me look that up. " }],
    ["tool_executing", { tool: "web_search", call_id: "call_1", arguments: { q: "capital of Australia" } }],
    ["tool_completed", { tool: "web_search", call_id: "call_1", result: { hits: ["Canberra"] } }],
    ["message_started", { message_id: "m1", role: "assistant" }],
    ["message_delta", { message_id: "m1", delta: "The capital " }],
    ["message_delta", { message_id: "m1", delta: "is Canberra." }],
    ["message_completed", { message_id: "m1" }],
    ["agent_completed", { result: "Canberra" }],
  ];
  steps.forEach(([type, payload], seq) => server.emit(user, type, runId, seq, payload, { skipDelivery: skip.includes(seq) }));
}

describe("connecting", () => {
  it("offers agentbridge.v1 and the token as bearer.<token>, a fresh token on every connect", async () => {
    const h = connect();
    await waitFor(() => server.open("alice").length === 1, "first connection");
    assert.equal(server.open()[0]!.ws.protocol, "agentbridge.v1");
    server.dropAll();
    await waitFor(() => server.open("alice").length === 1 && server.conns.length === 2, "reconnection");
    assert.deepEqual(server.tokens, ["good-alice-1", "good-alice-2"]);
    assert.equal(h.tokenCalls(), 2);
  });

  it("reports a refused handshake as handshake_refused, naming what to check, and keeps trying", async () => {
    server.accept = () => undefined;
    const h = connect();
    await waitFor(() => h.errors.length >= 2, "two refusals");
    const err = h.errors[0]!;
    assert.equal(err.kind, "handshake_refused");
    assert.match(err.message, /token/);
    assert.match(err.message, /URL and stage/);
    assert.match(err.message, /server is running/);
    assert.ok(!err.message.includes("good-"), "the message must not carry the token");
    assert.ok(h.tokenCalls() >= 2, "each attempt asks for a fresh token");
  });

  it("reports a token the WebSocket refuses to carry without quoting it, and retries", async () => {
    let calls = 0;
    const h = connect("alice", { token: async () => (++calls === 1 ? "has spaces, and a comma" : "good-alice-x") });
    await waitFor(() => server.open("alice").length === 1, "connection with the next token");
    assert.equal(h.errors[0]?.kind, "handshake_refused");
    assert.match(h.errors[0]!.message, /malformed/);
    assert.doesNotMatch(h.errors[0]!.message, /has spaces/);
  });

  it("reports a failing token provider and retries", async () => {
    let calls = 0;
    const h = connect("alice", {
      token: async () => {
        if (++calls === 1) throw new Error("login expired");
        return "good-alice-x";
      },
    });
    await waitFor(() => server.open("alice").length === 1, "connection after the provider recovers");
    assert.equal(h.errors[0]?.kind, "token_unavailable");
  });

  it("sends ping keep-alives", async () => {
    const h = connect("alice", { pingIntervalMs: 10 });
    const pongs: unknown[] = [];
    h.client.on("control", (f) => f.type === "pong" && pongs.push(f));
    await waitFor(() => pongs.length >= 2, "two pongs");
    assert.deepEqual(server.conns[0]!.actions.filter((a) => a.action === "ping").slice(0, 2), [{ action: "ping" }, { action: "ping" }]);
  });

  it("renews the connection before the connection limit and misses nothing", async () => {
    const h = connect("alice", { maxConnectionMs: 150 });
    await waitFor(() => server.open("alice").length === 1, "connection");
    server.emit("alice", "agent_started", "r1", 0, {});
    await waitFor(() => server.conns.length >= 2, "a renewed connection");
    server.emit("alice", "agent_thinking", "r1", 1, { text: "still here" });
    await waitFor(() => h.got.length === 2, "both events");
    assert.deepEqual(ids(h.got), ["r1:0:agent_started", "r1:1:agent_thinking"]);
    assert.ok(server.tokens.length >= 2 && server.tokens[0] !== server.tokens[1], "a fresh token for the renewed connection");
  });
});

describe("resuming", () => {
  it("resumes after its position on reconnect and hands on what was missed, once", async () => {
    const h = connect();
    await waitFor(() => server.open("alice").length === 1, "connection");
    server.emit("alice", "agent_started", "r1", 0, {});
    server.emit("alice", "agent_thinking", "r1", 1, { text: "a" });
    await waitFor(() => h.got.length === 2, "two events");
    server.dropAll();
    server.emit("alice", "agent_thinking", "r1", 2, { text: "b" });
    server.emit("alice", "agent_completed", "r1", 3, {});
    await waitFor(() => h.got.length === 4, "the missed events");
    const second = server.conns[1]!;
    assert.deepEqual(second.actions[0], { action: "resume", after: 2 });
    assert.deepEqual(ids(h.got), ["r1:0:agent_started", "r1:1:agent_thinking", "r1:2:agent_thinking", "r1:3:agent_completed"]);
    assert.equal(h.client.position, 4);
  });

  it("resumes at once on an offset gap and keeps the run in seq order", async () => {
    const h = connect();
    await waitFor(() => server.open("alice").length === 1, "connection");
    playRun("alice", "r1", [2, 3]); // tool_executing and tool_completed stored, never sent live
    await waitFor(() => h.got.length === 9, "the whole run");
    assert.deepEqual(server.conns[0]!.actions.filter((a) => a.action === "resume")[0], { action: "resume", after: 2 });
    assert.deepEqual(h.got.map((e) => e.seq), [0, 1, 2, 3, 4, 5, 6, 7, 8]);
    const run = h.client.runs.get("r1")!;
    assert.equal(run.status, "completed");
    assert.equal(run.toolCalls[0]?.status, "completed");
  });

  it("moves past skipped offsets once the server says it has sent everything", async () => {
    const h = connect();
    await waitFor(() => server.open("alice").length === 1, "connection");
    server.emit("alice", "agent_started", "r1", 0, {});
    server.skipOffset("alice"); // offset 2 reserved, its write failed
    server.emit("alice", "agent_completed", "r1", 1, {});
    await waitFor(() => h.client.position === 3, "position past the hole");
    assert.equal(h.got.length, 2);
  });

  it("drops repeats by offset but accepts a lower offset that arrives late", async () => {
    const h = connect();
    await waitFor(() => server.open("alice").length === 1, "connection");
    const conn = server.open("alice")[0]!;
    const a = server.emit("alice", "agent_started", "r1", undefined, {}, { skipDelivery: true });
    const b = server.emit("alice", "agent_started", "r2", undefined, {}, { skipDelivery: true });
    server.sendTo(conn, b); // concurrent requests: offset 2 lands before offset 1
    server.sendTo(conn, a);
    server.sendTo(conn, b); // a gateway retry
    server.emit("alice", "agent_started", "r3", undefined, {}); // frames arrive in order: the repeat came before this
    await waitFor(() => h.got.some((e) => e.run_id === "r3"), "the last event");
    assert.deepEqual(h.got.map((e) => e.offset), [2, 1, 3]);
  });

  it("continues an incomplete resume (more than the server's limit)", async () => {
    server.resumeLimit = 2;
    const h = connect();
    await waitFor(() => server.open("alice").length === 1, "connection");
    server.emit("alice", "agent_started", "r1", 0, {});
    await waitFor(() => h.got.length === 1, "first event");
    server.dropAll();
    for (let seq = 1; seq <= 5; seq++) server.emit("alice", "agent_thinking", "r1", seq, { text: `${seq}` });
    await waitFor(() => h.got.length === 6, "all events");
    assert.deepEqual(server.conns[1]!.actions.filter((a) => a.action === "resume"), [
      { action: "resume", after: 1 }, { action: "resume", after: 3 }, { action: "resume", after: 5 },
    ]);
    assert.equal(h.client.runs.get("r1")!.reasoning, "12345");
  });

  it("shows the whole run after a reload, each event once", async () => {
    const storage = memoryStorage();
    const first = connect("alice", { storage });
    await waitFor(() => server.open("alice").length === 1, "connection");
    playRun("alice", "r1");
    await waitFor(() => first.got.length === 9, "the run in the first page");
    first.client.close(); // the reload

    server.emit("alice", "agent_started", "r2", 0, {}); // while the page was away
    const second = connect("alice", { storage });
    await waitFor(() => second.got.length === 10, "both runs in the reloaded page");
    assert.deepEqual(second.got.filter((e) => e.run_id === "r1").map((e) => e.seq), [0, 1, 2, 3, 4, 5, 6, 7, 8]);
    assert.equal(new Set(second.got.map((e) => e.offset)).size, 10);
    assert.equal(second.client.runs.get("r1")!.messages[0]?.text, "The capital is Canberra.");
  });

  it("replays a run on request and a run it joined late on its own", async () => {
    server.emit("alice", "agent_started", "old", 0, {});
    server.emit("alice", "agent_completed", "old", 1, {});
    server.emit("alice", "agent_started", "r1", 0, {});
    const h = connect();
    await waitFor(() => server.open("alice").length === 1, "connection");
    server.emit("alice", "agent_thinking", "r1", 1, { text: "joined here" });
    await waitFor(() => h.got.length === 2, "the joined run from its start");
    assert.deepEqual(ids(h.got), ["r1:0:agent_started", "r1:1:agent_thinking"]);
    h.client.replay("old");
    await waitFor(() => h.got.length === 4, "the replayed run");
    assert.deepEqual(ids(h.got.slice(2)), ["old:0:agent_started", "old:1:agent_completed"]);
  });

  it("keeps users apart: another user's tab sees nothing", async () => {
    const alice = connect("alice");
    const bob = connect("bob");
    await waitFor(() => server.open().length === 2, "two connections");
    playRun("alice", "r1");
    await waitFor(() => alice.got.length === 9, "alice's run");
    assert.equal(bob.got.length, 0);
  });
});

describe("run state", () => {
  it("tracks a run: tools pending then done, messages from deltas, reasoning, errors", async () => {
    const h = connect();
    await waitFor(() => server.open("alice").length === 1, "connection");
    const states: string[] = [];
    h.client.on("event", (_, run) => states.push(`${run.status}/${run.toolCalls.map((c) => c.status).join(",")}`));
    server.emit("alice", "agent_started", "r1", 0, { input: "q" });
    server.emit("alice", "agent_thinking", "r1", 1, { text: "Hmm, " });
    server.emit("alice", "agent_thinking", "r1", 2, { text: "let me see." });
    server.emit("alice", "tool_executing", "r1", 3, { tool: "search", call_id: "c1", arguments: { q: "x" } });
    server.emit("alice", "tool_executing", "r1", 4, { tool: "fetch", call_id: "c2" });
    server.emit("alice", "tool_completed", "r1", 5, { tool: "search", call_id: "c1", result: [1] });
    server.emit("alice", "tool_completed", "r1", 6, { tool: "fetch", call_id: "c2", error: "timed out" });
    server.emit("alice", "message_started", "r1", 7, { message_id: "m1", role: "assistant" });
    server.emit("alice", "message_delta", "r1", 8, { message_id: "m1", delta: "Hel" });
    server.emit("alice", "message_delta", "r1", 9, { message_id: "m1", delta: "lo" });
    server.emit("alice", "agent_error", "r1", 10, { message: "quota", code: "quota_exhausted" });
    await waitFor(() => h.got.length === 11, "all events");
    const run = h.client.runs.get("r1")!;
    assert.equal(run.reasoning, "Hmm, let me see.");
    assert.deepEqual(run.toolCalls, [
      { callId: "c1", tool: "search", arguments: { q: "x" }, status: "completed", result: [1], error: undefined },
      { callId: "c2", tool: "fetch", arguments: undefined, status: "error", result: undefined, error: "timed out" },
    ]);
    assert.deepEqual(run.messages, [{ messageId: "m1", role: "assistant", text: "Hello", complete: false }]);
    assert.deepEqual(run.error, { message: "quota", code: "quota_exhausted" });
    assert.equal(run.status, "error");
    assert.deepEqual(states.slice(3, 6), ["running/pending", "running/pending,pending", "running/completed,pending"]);
  });
});
