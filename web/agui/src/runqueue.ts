import type { BaseEvent } from "@ag-ui/core";
import type { AnyEnvelope } from "@agentbridge/client";
import { RunTranslator } from "./translate.js";

/**
 * An AG-UI event stream carries one run at a time (RUN_STARTED while another run is active is
 * refused), but a user's agents may run concurrently. So the runs are told one after another:
 * the first run seen streams live, others are held until it ends, then the oldest held run is
 * flushed and continues live.
 */
export class RunQueue {
  private current: RunTranslator | undefined;
  private readonly waiting = new Map<string, AnyEnvelope[]>();
  private readonly finished = new Set<string>();

  constructor(private readonly emit: (event: BaseEvent) => void) {}

  push(env: AnyEnvelope): void {
    if (this.finished.has(env.run_id)) return;
    if (!this.current) this.current = new RunTranslator(env.run_id);
    if (env.run_id !== this.current.runId) {
      this.waiting.set(env.run_id, [...(this.waiting.get(env.run_id) ?? []), env]);
      return;
    }
    for (const e of this.current.translate(env)) this.emit(e);
    if (this.current.done) this.next();
  }

  private next(): void {
    this.finished.add(this.current!.runId);
    this.current = undefined;
    const [runId, held] = this.waiting.entries().next().value ?? [];
    if (runId === undefined || !held) return;
    this.waiting.delete(runId);
    for (const env of held) this.push(env);
  }
}
