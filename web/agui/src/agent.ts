import { AbstractAgent, type AgentConfig } from "@ag-ui/client";
import { EventType, type BaseEvent, type RunAgentInput } from "@ag-ui/core";
import { AgentBridgeClient, type AgentBridgeError, type ClientOptions } from "@agentbridge/client";
import { Observable, throwError } from "rxjs";
import { RunQueue } from "./runqueue.js";

export interface AgentBridgeAgentConfig extends AgentConfig {
  /** How to reach agentbridge: URL, token provider, storage... (see @agentbridge/client). */
  connection: ClientOptions;
  /** Attach to this run only, replaying it from its start; the stream completes when it ends. */
  runId?: string;
  /** Connection trouble (a refused token, say); the agent keeps reconnecting meanwhile. */
  onConnectionError?: (error: AgentBridgeError) => void;
}

/**
 * An AG-UI agent whose runs are started elsewhere (by your agent backend, through
 * agentbridge's emit function) and watched here: connectAgent() attaches to the user's runs,
 * or to one run, over agentbridge's WebSocket, with reconnect and resume behind it, and emits
 * each run as AG-UI events. Concurrent runs are emitted one after another, since an AG-UI
 * stream carries one active run at a time.
 */
export class AgentBridgeAgent extends AbstractAgent {
  private readonly connection: ClientOptions;
  private readonly runId: string | undefined;
  private readonly onConnectionError: ((error: AgentBridgeError) => void) | undefined;

  constructor(config: AgentBridgeAgentConfig) {
    super(config);
    this.connection = config.connection;
    this.runId = config.runId;
    this.onConnectionError = config.onConnectionError;
  }

  /** Browsers cannot start agentbridge runs: only agent runtimes may invoke emit. */
  run(_input: RunAgentInput): Observable<BaseEvent> {
    return throwError(() => new Error("agentbridge runs are started by your agent backend; use connectAgent() to attach to them"));
  }

  protected override connect(_input: RunAgentInput): Observable<BaseEvent> {
    const runId = this.runId;
    return new Observable<BaseEvent>((subscriber) => {
      const client = new AgentBridgeClient(this.connection);
      const queue = new RunQueue((event) => {
        subscriber.next(event);
        if (runId !== undefined && (event.type === EventType.RUN_FINISHED || event.type === EventType.RUN_ERROR)) {
          subscriber.complete();
        }
      });
      const offs = [
        client.on("event", (env) => {
          if (runId === undefined || env.run_id === runId) queue.push(env);
        }),
        client.on("error", (err) => this.onConnectionError?.(err)),
        client.on("status", (status) => {
          // Replay the run from its start on the first connection; resume covers reconnects.
          if (status === "open" && runId !== undefined && !replayed) {
            replayed = true;
            client.replay(runId);
          }
        }),
      ];
      let replayed = false;
      client.start();
      return () => {
        for (const off of offs) off();
        client.close();
      };
    });
  }

  override clone(): AgentBridgeAgent {
    const copy = super.clone() as AgentBridgeAgent;
    Object.assign(copy, { connection: this.connection, runId: this.runId, onConnectionError: this.onConnectionError });
    return copy;
  }
}
