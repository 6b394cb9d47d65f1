// Keeps the TypeScript protocol in step with Go's package protocol, the server's source of
// truth: the event types, each payload's members and the envelope's members, read from the Go
// source's constants and json tags.
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { CONTROL_ACTIONS, CONTROL_FIELDS, CONTROL_FRAME_TYPES, ENVELOPE_FIELDS, EVENT_TYPES, PAYLOAD_FIELDS } from "../src/index.js";

interface GoProtocol {
  eventTypes: string[];
  envelope: Fields;
  /** Payload members per event type, from the "XPayload is the payload of <type>" comments. */
  payloads: Map<string, Fields>;
  /** Control message members, by struct name. */
  control: Map<string, Fields>;
  /** The Action* and Type* constants: what a browser sends, what it gets besides events. */
  actions: string[];
  frameTypes: string[];
}
interface Fields {
  required: string[];
  optional: string[];
}

function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, "go.mod"))) {
    const up = dirname(dir);
    if (up === dir) throw new Error("go.mod not found above the test");
    dir = up;
  }
  return dir;
}

export function parseGo(source: string): GoProtocol {
  const eventTypes = [...source.matchAll(/^\s*\w+\s+EventType\s*=\s*"([a-z_]+)"/gm)].map((m) => m[1]!);
  const payloads = new Map<string, Fields>();
  for (const m of source.matchAll(/^\/\/ (\w+) is the payload of (\w+)\b/gm)) payloads.set(m[2]!, structFields(source, m[1]!));
  const control = new Map(Object.keys(CONTROL_FIELDS).map((name) => [name, structFields(source, name)]));
  const consts = (prefix: string) => [...source.matchAll(new RegExp(`^\\s*${prefix}\\w+\\s*=\\s*"([a-z_]+)"`, "gm"))].map((m) => m[1]!);
  return { eventTypes, envelope: structFields(source, "Envelope"), payloads, control, actions: consts("Action"), frameTypes: consts("Type") };
}

function structFields(source: string, name: string): Fields {
  const body = new RegExp(`^type ${name} struct \\{([\\s\\S]*?)^\\}`, "m").exec(source)?.[1];
  if (body === undefined) throw new Error(`struct ${name} not found in Go source`);
  const fields: Fields = { required: [], optional: [] };
  for (const m of body.matchAll(/`json:"([^",]+)(,omitempty)?"`/g)) (m[2] ? fields.optional : fields.required).push(m[1]!);
  return fields;
}

/** Differences between Go and the TS lists, as readable lines; none means in step. */
export function compare(go: GoProtocol): string[] {
  const problems: string[] = [];
  const ts: readonly string[] = EVENT_TYPES;
  for (const t of go.eventTypes) if (!ts.includes(t)) problems.push(`event type ${t} is in Go but not in EVENT_TYPES`);
  for (const t of ts) if (!go.eventTypes.includes(t)) problems.push(`event type ${t} is in EVENT_TYPES but not in Go`);
  for (const [type, goFields] of go.payloads) {
    const tsFields = PAYLOAD_FIELDS[type as keyof typeof PAYLOAD_FIELDS];
    if (!tsFields) problems.push(`Go has a payload for ${type}, PAYLOAD_FIELDS has none`);
    else problems.push(...diffFields(`payload of ${type}`, goFields, tsFields));
  }
  for (const t of go.eventTypes) if (!go.payloads.has(t)) problems.push(`no Go payload struct documented as "the payload of ${t}"`);
  problems.push(...diffFields("envelope", go.envelope, ENVELOPE_FIELDS));
  for (const [name, goFields] of go.control) problems.push(...diffFields(name, goFields, CONTROL_FIELDS[name]!));
  problems.push(...diffLists("control actions", go.actions, CONTROL_ACTIONS), ...diffLists("control message types", go.frameTypes, CONTROL_FRAME_TYPES));
  return problems;
}

function diffFields(what: string, go: Fields, ts: Fields): string[] {
  const out: string[] = [];
  for (const kind of ["required", "optional"] as const) {
    for (const f of go[kind]) if (!ts[kind].includes(f)) out.push(`${what}: ${f} is ${kind} in Go but not in TS`);
    for (const f of ts[kind]) if (!go[kind].includes(f)) out.push(`${what}: ${f} is ${kind} in TS but not in Go`);
  }
  return out;
}

function diffLists(what: string, go: readonly string[], ts: readonly string[]): string[] {
  return [
    ...go.filter((x) => !ts.includes(x)).map((x) => `${what}: ${x} is in Go but not in TS`),
    ...ts.filter((x) => !go.includes(x)).map((x) => `${what}: ${x} is in TS but not in Go`),
  ];
}

function goSource(): string {
  const dir = join(repoRoot(), "protocol");
  return ["event.go", "payloads.go", "control.go"].map((f) => readFileSync(join(dir, f), "utf8")).join("\n");
}

describe("protocol in step with Go", () => {
  it("has every event type, payload, envelope and control member Go's protocol package has", () => {
    const go = parseGo(goSource());
    assert.ok(go.eventTypes.length >= 6, `parsed too few event types: ${go.eventTypes}`);
    assert.ok(go.envelope.required.includes("event_id"), "parsed the envelope");
    assert.ok(go.actions.length >= 3 && go.frameTypes.length >= 4, `parsed the control constants: ${go.actions} ${go.frameTypes}`);
    assert.deepEqual(compare(go), []);
  });

  it("notices a Go change the TS lists lack", () => {
    const changed = goSource()
      .replace('AgentError     EventType = "agent_error"', 'AgentError EventType = "agent_error"\n\tAgentPaused EventType = "agent_paused"')
      .replace('Code    string `json:"code,omitempty"`', 'Code string `json:"code"`')
      .replace('ActionReplay = "replay"', 'ActionReplay = "replay"\n\tActionForget = "forget"');
    const problems = compare(parseGo(changed));
    assert.ok(problems.some((p) => p.includes("agent_paused")), problems.join("\n"));
    assert.ok(problems.some((p) => p.includes("payload of agent_error: code is required in Go")), problems.join("\n"));
    assert.ok(problems.some((p) => p.includes("control actions: forget is in Go")), problems.join("\n"));
  });
});
