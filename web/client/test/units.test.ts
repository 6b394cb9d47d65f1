import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { backoffDelay, decodeFrame, OffsetTracker, RunSequencer, type AnyEnvelope } from "../src/index.js";

describe("backoffDelay", () => {
  it("grows exponentially to its cap, with full jitter", () => {
    const opts = { initialMs: 100, maxMs: 1000 };
    const top = (attempt: number) => backoffDelay(attempt, opts, () => 0.999999);
    assert.deepEqual([0, 1, 2, 3, 4, 10, 100].map(top), [99, 199, 399, 799, 999, 999, 999]);
    assert.equal(backoffDelay(5, opts, () => 0), 0, "full jitter reaches down to zero");
  });
});

describe("OffsetTracker", () => {
  it("advances over contiguous offsets and waits at holes", () => {
    const t = new OffsetTracker(0);
    t.record(1);
    t.record(3);
    assert.equal(t.position, 1);
    assert.ok(t.hasGap());
    t.record(2);
    assert.equal(t.position, 3);
    assert.ok(!t.hasGap());
  });

  it("jumps to a resume's through, past holes that never fill", () => {
    const t = new OffsetTracker(5);
    t.record(7);
    t.record(9);
    t.advanceTo(8);
    assert.equal(t.position, 9);
    t.advanceTo(4);
    assert.equal(t.position, 9, "never goes back");
  });
});

describe("RunSequencer", () => {
  const env = (run: string, seq?: number): AnyEnvelope =>
    ({ type: "agent_thinking", event_id: `${run}${seq}`, run_id: run, seq, timestamp: "", payload: { text: "" } }) as AnyEnvelope;

  it("holds an event ahead of its turn until the missing one arrives, per run", () => {
    const out: string[] = [];
    const s = new RunSequencer((e) => out.push(`${e.run_id}${e.seq}`), 60_000);
    s.push(env("a", 1));
    s.push(env("b", 0));
    s.push(env("a", 0));
    s.push(env("a", 0)); // an agent's retried request: same seq, new event id
    assert.deepEqual(out, ["b0", "a0", "a1"]);
    s.close();
  });

  it("skips holes when settled, hands on late events, and passes unnumbered events at once", () => {
    const out: string[] = [];
    const s = new RunSequencer((e) => out.push(`${e.run_id}${e.seq ?? "-"}`), 60_000);
    s.push(env("a", 2));
    s.push(env("a", undefined));
    s.push(env("a", 4));
    s.settle();
    s.push(env("a", 0));
    assert.deepEqual(out, ["a-", "a2", "a4", "a0"]);
    s.close();
  });
});

describe("decodeFrame", () => {
  it("tells events, control frames and unknown messages apart", () => {
    assert.equal(decodeFrame('{"type":"agent_started","event_id":"e","run_id":"r","timestamp":"t","payload":{}}').kind, "event");
    assert.equal(decodeFrame('{"type":"resumed","after":0,"through":3,"complete":true}').kind, "control");
    assert.equal(decodeFrame('{"message":"Forbidden","connectionId":"x"}').kind, "unknown");
    assert.equal(decodeFrame('{"type":"agent_dreaming","event_id":"e","run_id":"r"}').kind, "unknown");
    assert.throws(() => decodeFrame("not json"));
  });
});
