import type { AnyEnvelope } from "./protocol.js";

interface RunQueue {
  /** The seq handed on next. Agents number a run's events from 0. */
  next: number;
  held: Map<number, AnyEnvelope>;
  shown: Set<number>;
  timer?: ReturnType<typeof setTimeout>;
}

/**
 * Hands each run's events on in seq order. An event ahead of its turn is held until the
 * missing ones arrive, or until the stream is known complete (settle), or until waitMs passed:
 * a hole may be a late event or a number skipped by a failed send, which never comes.
 * Events without seq are handed on as they come. A seq handed on before is a repeat (an agent
 * retried a whole request) and is dropped.
 */
export class RunSequencer {
  private readonly runs = new Map<string, RunQueue>();

  constructor(
    private readonly deliver: (env: AnyEnvelope) => void,
    private readonly waitMs = 1000,
  ) {}

  /** Takes one event; false when it repeats a seq of its run (dropped). */
  push(env: AnyEnvelope): boolean {
    if (env.seq === undefined) {
      this.deliver(env);
      return true;
    }
    let run = this.runs.get(env.run_id);
    if (!run) this.runs.set(env.run_id, (run = { next: 0, held: new Map(), shown: new Set() }));
    if (run.shown.has(env.seq) || run.held.has(env.seq)) return false;
    if (env.seq < run.next) {
      // Arrived after its run moved past it (the wait ran out): late beats lost.
      run.shown.add(env.seq);
      this.deliver(env);
      return true;
    }
    run.held.set(env.seq, env);
    this.release(env.run_id, run);
    return true;
  }

  /**
   * Hands on everything held, skipping holes: the server said it has sent all it has (a
   * resume or replay completed), so a missing seq was never stored. Without runId, all runs
   * but those in except (runs whose replay is still coming).
   */
  settle(runId?: string, except?: ReadonlySet<string>): void {
    for (const [id, run] of this.runs) {
      if (runId !== undefined ? id !== runId : except?.has(id)) continue;
      while (run.held.size > 0) {
        run.next = Math.min(...run.held.keys());
        this.release(id, run);
      }
    }
  }

  /** Stops the wait timers; held events stay held. */
  close(): void {
    for (const run of this.runs.values()) clearTimeout(run.timer);
  }

  private release(runId: string, run: RunQueue): void {
    clearTimeout(run.timer);
    run.timer = undefined;
    for (let env = run.held.get(run.next); env; env = run.held.get(run.next)) {
      run.held.delete(run.next);
      run.shown.add(run.next++);
      this.deliver(env);
    }
    if (run.held.size > 0) run.timer = setTimeout(() => this.settle(runId), this.waitMs);
  }
}
