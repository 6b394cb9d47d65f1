#!/usr/bin/env node
// A simulated AI agent in Node.js that streams one realistic run to a user's browser through
// agentbridge: a question, streamed reasoning, a web search, and an answer streamed as a message.
//
// Every event carries an event_id, so a retried invoke is safe: the stream keeps one copy per
// id and tabs see each event once.
//
//   # against `make dev` (the local host on 127.0.0.1:3001)
//   AWS_ENDPOINT_URL_LAMBDA=http://127.0.0.1:3001 AWS_REGION=us-east-1 \
//     AWS_ACCESS_KEY_ID=local AWS_SECRET_ACCESS_KEY=local node agent.mjs --user alice
//
//   # against AWS: the stack's EmitFunctionName output, credentials and region as usual
//   EMIT_FUNCTION_NAME=agentbridge-EmitFunction-AbC123 node agent.mjs --user alice
import { randomUUID } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { parseArgs } from "node:util";
import { LambdaClient, InvokeCommand } from "@aws-sdk/client-lambda";

const QUESTION = "Which is larger by area, Australia or the contiguous United States?";
const ANSWER =
  "The contiguous United States is slightly larger: about 8.08 million km² against Australia's 7.69 million km².";

// Invoke API errors worth another try; anything else fails the same way again.
const RETRYABLE_API_ERRORS = new Set([
  "TooManyRequestsException", "ServiceException", "EC2ThrottledException",
  "ResourceConflictException", "ResourceNotReadyException",
]);
// Function errors worth another try, from docs/events.md.
const RETRYABLE_FUNCTION_ERRORS = new Set(["ServiceUnavailable", "DeliveryFailed"]);

class EmitError extends Error {}

/** One agent run's event stream for one user: seq from 0, an event_id per event, in order. */
class Run {
  constructor(lambda, functionName, userId, runId, { agentName, attempts = 4 } = {}) {
    Object.assign(this, { lambda, functionName, userId, runId, agentName, attempts });
    this.seq = 0;
    this.events = 0;
    this.invokes = 0;
  }

  async emit(type, payload = {}) {
    const event = { event_id: `evt_${randomUUID().replaceAll("-", "")}`, type, run_id: this.runId, seq: this.seq++, payload };
    if (this.agentName) event.agent_name = this.agentName;
    await this.send([event]);
    this.events++;
  }

  /** Sends one request, retrying what may succeed with the very same body (same event_ids),
   * with capped exponential backoff and full jitter. */
  async send(events) {
    const body = new TextEncoder().encode(JSON.stringify({ user_id: this.userId, events }));
    for (let attempt = 1; ; attempt++) {
      this.invokes++;
      const last = attempt === this.attempts;
      try {
        const out = await this.lambda.send(new InvokeCommand({ FunctionName: this.functionName, Payload: body }));
        const result = out.Payload?.length ? JSON.parse(new TextDecoder().decode(out.Payload)) : null;
        if (!out.FunctionError) return result;
        if (!RETRYABLE_FUNCTION_ERRORS.has(result?.errorType) || last) {
          throw new EmitError(`${result?.errorType}: ${result?.errorMessage}`);
        }
      } catch (err) {
        if (err instanceof EmitError) throw err;
        const retryable = RETRYABLE_API_ERRORS.has(err.name) || err.$metadata === undefined;
        if (!retryable || last) throw new EmitError(`invoke failed: ${err.name}: ${err.message}`);
      }
      await sleep(Math.random() * Math.min(5000, 100 * 2 ** (attempt - 1)));
    }
  }
}

async function streamThinking(run, text, pause) {
  const words = text.split(/\s+/);
  for (let i = 0; i < words.length; i += 3) {
    await run.emit("agent_thinking", { text: words.slice(i, i + 3).join(" ") + " " });
    await sleep(pause / 4);
  }
}

/** Streams text as a message, merging the words a model produces into one message_delta per
 * window so a fast stream costs a bounded number of events. */
async function streamAnswer(run, messageId, text, pause, windowMs = 50) {
  await run.emit("message_started", { message_id: messageId, role: "assistant" });
  let pending = "";
  let last = 0;
  for (const [i, word] of text.split(/\s+/).entries()) {
    pending += (i ? " " : "") + word;
    if (performance.now() - last >= windowMs) {
      await run.emit("message_delta", { message_id: messageId, delta: pending });
      pending = "";
      last = performance.now();
    }
    await sleep(pause / 16);
  }
  if (pending) await run.emit("message_delta", { message_id: messageId, delta: pending });
  await run.emit("message_completed", { message_id: messageId, text });
}

async function play(run, pause, say) {
  say("agent_started");
  await run.emit("agent_started", { input: { question: QUESTION } });
  await streamThinking(run, "I should compare the two areas. Let me search for current figures.", pause);
  say("tool_executing web_search");
  await run.emit("tool_executing", {
    tool: "web_search", call_id: "call_1",
    arguments: { query: "area of Australia vs contiguous United States km2" },
  });
  await sleep(2 * pause);
  say("tool_completed web_search");
  await run.emit("tool_completed", {
    tool: "web_search", call_id: "call_1",
    result: { results: [
      { title: "Australia - area", snippet: "Total area: 7,688,287 km²" },
      { title: "Contiguous United States", snippet: "Area: 8,080,470 km²" },
    ] },
  });
  say("message answer");
  await streamAnswer(run, "answer-1", ANSWER, pause);
  say("agent_completed");
  await run.emit("agent_completed", { result: { answer: ANSWER } });
}

async function main() {
  const { values } = parseArgs({
    options: {
      user: { type: "string", default: "alice" },
      run: { type: "string", default: `run-node-${Date.now()}` },
      function: { type: "string", default: process.env.EMIT_FUNCTION_NAME ?? "EmitFunction" },
      pause: { type: "string", default: "0.4" },
    },
  });
  // The SDK's standard chain finds the region, credentials and, through
  // AWS_ENDPOINT_URL_LAMBDA, the local host; its own retries are off because Run retries.
  const lambda = new LambdaClient({ maxAttempts: 1 });
  const run = new Run(lambda, values.function, values.user, values.run, { agentName: "researcher" });
  console.log(`run ${values.run} for user ${values.user}`);
  try {
    await play(run, Number(values.pause) * 1000, (step) => console.log("  ->", step));
  } catch (err) {
    console.error(`agent: ${err.message}`);
    return 1;
  }
  console.log(`${run.events} events in ${run.invokes} invokes`);
  return 0;
}

process.exitCode = await main();
