// A small agentbridge server for tests: a real WebSocket server that authenticates $connect
// by the bearer subprotocol, keeps each user's stream with offsets, and answers ping, resume
// and replay as protocol v2 specifies. Tests steer it to drop, repeat or reorder deliveries.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { Duplex } from "node:stream";
import { WebSocketServer, WebSocket } from "ws";
import type { AnyEnvelope, EventType } from "../src/index.js";

export interface Conn {
  user: string;
  token: string;
  ws: WebSocket;
  /** Control messages received, parsed. */
  actions: Array<{ action: string; [k: string]: unknown }>;
}

export interface EmitOptions {
  /** Store the event but send it to nobody (a lost live delivery). */
  skipDelivery?: boolean;
}

export class FakeServer {
  readonly conns: Conn[] = [];
  /** Tokens seen on $connect, accepted or not. */
  readonly tokens: string[] = [];
  /** Tokens that pass; a token is accepted when it starts with "good-" by default. */
  accept: (token: string) => string | undefined = (t) => (t.startsWith("good-") ? t.split("-")[1] : undefined);
  /** Answers plain HTTP requests on the same port; 404 when unset. */
  handler: ((req: IncomingMessage, res: ServerResponse) => void) | undefined;
  /** Events per resume before complete=false, reason=limit. */
  resumeLimit = 1000;
  private readonly streams = new Map<string, AnyEnvelope[]>();
  private head = new Map<string, number>();
  private readonly http: Server;
  private readonly wss = new WebSocketServer({ noServer: true });
  private nextEventId = 1;

  private constructor() {
    this.http = createServer((req, res) => (this.handler ? this.handler(req, res) : res.writeHead(404).end()));
    this.http.on("upgrade", (req, socket, head) => this.upgrade(req, socket, head));
  }

  static async start(): Promise<FakeServer> {
    const s = new FakeServer();
    await new Promise<void>((resolve) => s.http.listen(0, "127.0.0.1", resolve));
    return s;
  }

  get url(): string {
    return `ws://127.0.0.1:${(this.http.address() as AddressInfo).port}/dev`;
  }

  open(user?: string): Conn[] {
    return this.conns.filter((c) => c.ws.readyState === WebSocket.OPEN && (user === undefined || c.user === user));
  }

  /** Stores an event for user at the next offset and sends it to the user's open connections. */
  emit(user: string, type: EventType, runId: string, seq: number | undefined, payload: object, opts: EmitOptions = {}): AnyEnvelope {
    const offset = (this.head.get(user) ?? 0) + 1;
    this.head.set(user, offset);
    const env = {
      type, event_id: `evt_${this.nextEventId++}`, offset, run_id: runId, ...(seq === undefined ? {} : { seq }),
      timestamp: new Date().toISOString(), payload,
    } as AnyEnvelope;
    const stream = this.streams.get(user) ?? [];
    stream.push(env);
    this.streams.set(user, stream);
    if (!opts.skipDelivery) for (const c of this.open(user)) this.sendTo(c, env);
    return env;
  }

  /** Reserves an offset that is never stored: a skipped offset. */
  skipOffset(user: string): void {
    this.head.set(user, (this.head.get(user) ?? 0) + 1);
  }

  sendTo(c: Conn, frame: object): void {
    c.ws.send(JSON.stringify(frame));
  }

  /** Drops every open connection as a network failure would (no close frame). */
  dropAll(): void {
    for (const c of this.open()) c.ws.terminate();
  }

  async stop(): Promise<void> {
    for (const c of this.conns) c.ws.terminate();
    this.wss.close();
    await new Promise<void>((resolve) => this.http.close(() => resolve()));
  }

  private upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const protocols = (req.headers["sec-websocket-protocol"] ?? "").split(",").map((p) => p.trim());
    const token = protocols.find((p) => p.startsWith("bearer."))?.slice("bearer.".length) ?? "";
    this.tokens.push(token);
    const user = protocols.includes("agentbridge.v1") ? this.accept(token) : undefined;
    if (!user) {
      // What API Gateway does when $connect refuses: an HTTP error instead of the upgrade.
      socket.end("HTTP/1.1 401 Unauthorized\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
      return;
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      const conn: Conn = { user, token, ws, actions: [] };
      this.conns.push(conn);
      ws.on("message", (data) => this.control(conn, String(data)));
    });
  }

  private control(c: Conn, data: string): void {
    const msg = JSON.parse(data) as { action: string; after?: number; run_id?: string };
    c.actions.push(msg);
    const stream = this.streams.get(c.user) ?? [];
    switch (msg.action) {
      case "ping":
        return this.sendTo(c, { type: "pong" });
      case "resume": {
        const after = msg.after ?? 0;
        const rest = stream.filter((e) => (e.offset ?? 0) > after);
        const batch = rest.slice(0, this.resumeLimit);
        for (const e of batch) this.sendTo(c, e);
        const complete = batch.length === rest.length;
        const through = complete ? (this.head.get(c.user) ?? 0) : (batch.at(-1)?.offset ?? after);
        return this.sendTo(c, { type: "resumed", after, through, complete, ...(complete ? {} : { reason: "limit" }) });
      }
      case "replay": {
        const after = msg.after ?? 0;
        const run = stream.filter((e) => e.run_id === msg.run_id && (e.offset ?? 0) > after);
        for (const e of run) this.sendTo(c, e);
        return this.sendTo(c, { type: "replayed", run_id: msg.run_id, through: run.at(-1)?.offset ?? after, complete: true });
      }
      default:
        return this.sendTo(c, { type: "error", action: msg.action, message: "unknown action" });
    }
  }
}

/** Resolves once cond() holds; the test runner's timeout bounds the wait. */
export async function waitFor(cond: () => boolean, what = "condition"): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}
