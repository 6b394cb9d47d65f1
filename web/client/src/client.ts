import { backoffDelay } from "./backoff.js";
import { Emitter } from "./emitter.js";
import { AgentBridgeError } from "./errors.js";
import { OffsetTracker } from "./offsets.js";
import { RunSequencer } from "./ordering.js";
import { resolveOptions, type ClientOptions, type ResolvedOptions } from "./options.js";
import {
  decodeFrame,
  type AnyEnvelope,
  type ControlAction,
  type ControlFrame,
  type ReplayedFrame,
  type ResumedFrame,
} from "./protocol.js";
import { applyEvent, newRunState, type RunState } from "./runstate.js";
import { SeenSet } from "./seen.js";
import { OPEN, openSocket, type WebSocketLike } from "./socket.js";
import { defaultStorage, loadState, saveState, type KeyValueStorage } from "./storage.js";

export type ConnectionStatus = "idle" | "connecting" | "open" | "reconnecting" | "closed";

export type ClientEvents = {
  /** One event, in order within its run, once; run is its state after the event. */
  event: [env: AnyEnvelope, run: RunState];
  status: [status: ConnectionStatus];
  error: [error: AgentBridgeError];
  /** Frames that are not events: pong, resumed, replayed, error. */
  control: [frame: ControlFrame];
};

/**
 * Receives a user's agent events over agentbridge: connects, keeps the connection alive,
 * reconnects with backoff, resumes where it left off (also after a reload), drops repeats,
 * orders each run's events and keeps each run's state.
 */
export class AgentBridgeClient extends Emitter<ClientEvents> {
  /** Every run this page has seen, by run id. */
  readonly runs = new Map<string, RunState>();
  status: ConnectionStatus = "idle";

  private readonly opts: ResolvedOptions;
  private readonly storage: KeyValueStorage | undefined;
  private readonly storageKey: string;
  private tracker: OffsetTracker | undefined; // undefined until the first offset anchors it
  private readonly seen = new SeenSet<number | string>();
  private readonly sequencer: RunSequencer;
  private remembered: string[] = [];
  private toRestore: string[] = [];
  private ws: WebSocketLike | undefined;
  private attempt = 0;
  private resumeInFlight = false;
  /** Runs with a replay asked for and not yet answered: their held events wait for it. */
  private readonly replaying = new Set<string>();
  private gapCheck: ReturnType<typeof setTimeout> | undefined;
  private timers: ReturnType<typeof setTimeout>[] = [];
  private pinger: ReturnType<typeof setInterval> | undefined;

  constructor(options: ClientOptions) {
    super();
    this.opts = resolveOptions(options);
    this.storage = options.storage === null ? undefined : (options.storage ?? defaultStorage());
    this.storageKey = `agentbridge:${options.user ?? "-"}@${options.url}`;
    this.sequencer = new RunSequencer((env) => this.handOn(env), this.opts.seqWaitMs);
    const saved = loadState(this.storage, this.storageKey);
    if (saved) {
      this.tracker = new OffsetTracker(saved.position);
      this.remembered = saved.runs;
      this.toRestore = [...saved.runs];
    }
  }

  /** The offset at and below which this page has everything; 0 before any event. */
  get position(): number {
    return this.tracker?.position ?? 0;
  }

  /** Opens the connection; it then stays up until close(). */
  start(): this {
    if (!this.opts.WebSocket) {
      throw new Error("no WebSocket here: pass options.WebSocket (the ws package's, under Node 20)");
    }
    if (this.status === "idle") void this.connect();
    return this;
  }

  /** Asks the server for a run's stored events; ones this page has are dropped as repeats. */
  replay(runId: string, after?: number): void {
    const sent = this.send(after === undefined ? { action: "replay", run_id: runId } : { action: "replay", run_id: runId, after });
    if (sent) this.replaying.add(runId);
  }

  close(): void {
    this.setStatus("closed");
    this.stopTimers();
    this.sequencer.close();
    const ws = this.ws;
    this.ws = undefined;
    ws?.close(1000, "client closed");
  }

  private async connect(): Promise<void> {
    this.setStatus(this.attempt === 0 && this.status === "idle" ? "connecting" : "reconnecting");
    let token: string;
    try {
      token = await this.opts.token();
      if (!token) throw new Error("the token provider returned an empty token");
    } catch (cause) {
      if (this.status === "closed") return;
      this.emit("error", new AgentBridgeError("token_unavailable", `Could not get a token: ${String(cause)}`, { cause }));
      this.retryLater();
      return;
    }
    if (this.status === "closed") return;
    const ws = openSocket(this.opts.WebSocket!, this.opts.url, token, {
      open: () => {
        this.attempt = 0;
        this.onOpen();
      },
      message: (data) => this.onMessage(data),
      closed: (refused) => {
        if (this.ws !== ws) return; // a socket we replaced or closed on purpose
        this.ws = undefined;
        this.stopTimers();
        if (this.status === "closed") return;
        if (refused) this.emit("error", refused);
        this.retryLater();
      },
    });
    if (ws instanceof AgentBridgeError) {
      this.emit("error", ws);
      this.retryLater();
      return;
    }
    this.ws = ws;
  }

  private onOpen(): void {
    this.setStatus("open");
    this.resumeInFlight = false;
    this.pinger = setInterval(() => this.send({ action: "ping" }), this.opts.pingIntervalMs);
    this.timers.push(setTimeout(() => this.renew(), this.opts.maxConnectionMs));
    // After a reload, the runs the page was showing, from their start; after a reconnect, the
    // replays the old socket did not finish (their answers will not come).
    const replays = new Set([...this.toRestore.splice(0), ...this.replaying]);
    this.replaying.clear();
    for (const runId of replays) this.replay(runId);
    if (this.tracker) this.resume();
  }

  /** Replaces the connection before the server's maximum duration ends it. */
  private renew(): void {
    const old = this.ws;
    this.ws = undefined;
    this.stopTimers();
    old?.close(1000, "renewing before the connection limit");
    void this.connect();
  }

  private retryLater(): void {
    this.setStatus("reconnecting");
    const delay = backoffDelay(this.attempt++, this.opts.backoff);
    this.timers.push(setTimeout(() => void this.connect(), delay));
  }

  private onMessage(data: unknown): void {
    let frame;
    try {
      frame = decodeFrame(String(data));
    } catch (cause) {
      this.emit("error", new AgentBridgeError("invalid_message", "A message from the server is not JSON", { cause }));
      return;
    }
    if (frame.kind === "event") this.receive(frame.envelope);
    else if (frame.kind === "control") this.onControl(frame.frame);
  }

  private receive(env: AnyEnvelope): void {
    if (!this.seen.add(env.offset ?? env.event_id)) return; // a retry, or resume and live overlapping
    if (env.offset !== undefined) {
      // A fresh page starts its position at the first event it sees.
      this.tracker ??= new OffsetTracker(env.offset - 1);
      this.tracker.record(env.offset);
      if (this.tracker.hasGap()) this.checkGapSoon();
    }
    if (!this.runs.has(env.run_id)) {
      this.runs.set(env.run_id, newRunState(env.run_id));
      this.remember(env.run_id);
      const joinedLate = env.type !== "agent_started" && env.seq !== 0;
      if (joinedLate && this.opts.replayJoinedRuns && !this.replaying.has(env.run_id)) this.replay(env.run_id);
    }
    this.sequencer.push(env);
    this.save();
  }

  private handOn(env: AnyEnvelope): void {
    const run = this.runs.get(env.run_id) ?? newRunState(env.run_id);
    this.runs.set(env.run_id, run);
    applyEvent(run, env);
    this.emit("event", env, run);
  }

  /**
   * A hole below a received offset is usually a concurrent request still on its way; if it
   * is not filled by the events already queued behind this one, resume at once.
   */
  private checkGapSoon(): void {
    if (this.gapCheck !== undefined) return;
    this.gapCheck = setTimeout(() => {
      this.gapCheck = undefined;
      if (this.tracker?.hasGap()) this.resume();
    }, 0);
  }

  private resume(): void {
    if (this.resumeInFlight || !this.tracker) return;
    if (this.send({ action: "resume", after: this.tracker.position })) this.resumeInFlight = true;
  }

  private onControl(frame: ControlFrame): void {
    switch (frame.type) {
      case "resumed":
        this.onResumed(frame);
        break;
      case "replayed":
        this.onReplayed(frame);
        break;
      case "error":
        if (frame.action === "resume") this.resumeInFlight = false;
        this.emit("error", new AgentBridgeError("server_error", `${frame.action ?? "request"}: ${frame.message}`));
        break;
    }
    this.emit("control", frame);
  }

  private onResumed(f: ResumedFrame): void {
    this.resumeInFlight = false;
    this.tracker ??= new OffsetTracker(0);
    // Offsets may skip, so through can exceed the last event sent; the holes never fill.
    this.tracker.advanceTo(f.through);
    this.save();
    if (!f.complete && f.reason === "limit") return this.resume();
    if (!f.complete && f.reason === "expired") {
      this.emit("error", new AgentBridgeError("history_expired", `Events before offset ${f.through} are no longer held by the server.`));
    }
    this.sequencer.settle(undefined, this.replaying);
    if (this.tracker.hasGap()) this.checkGapSoon();
  }

  private onReplayed(f: ReplayedFrame): void {
    if (!f.complete && f.reason === "limit") return this.replay(f.run_id, f.through);
    this.replaying.delete(f.run_id);
    this.sequencer.settle(f.run_id);
  }

  private send(msg: ControlAction): boolean {
    if (this.ws?.readyState !== OPEN) return false;
    this.ws.send(JSON.stringify(msg));
    return true;
  }

  private remember(runId: string): void {
    this.remembered = [...this.remembered.filter((r) => r !== runId), runId].slice(-this.opts.rememberRuns);
  }

  private save(): void {
    if (this.tracker) saveState(this.storage, this.storageKey, { position: this.tracker.position, runs: this.remembered });
  }

  private setStatus(s: ConnectionStatus): void {
    if (this.status === s || this.status === "closed") return;
    this.status = s;
    this.emit("status", s);
  }

  private stopTimers(): void {
    clearInterval(this.pinger);
    clearTimeout(this.gapCheck);
    this.gapCheck = undefined;
    for (const t of this.timers) clearTimeout(t);
    this.timers = [];
  }
}
