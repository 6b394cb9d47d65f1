#!/usr/bin/env python3
"""A simulated AI agent in Python that streams one realistic run to a user's browser through
agentbridge: a question, streamed reasoning, a web search, and an answer streamed as a message.

It needs only boto3. Every event carries an event_id, so a retried invoke is safe: the stream
keeps one copy per id and tabs see each event once.

    # against `make dev` (the local host on 127.0.0.1:3001)
    AWS_ENDPOINT_URL_LAMBDA=http://127.0.0.1:3001 AWS_REGION=us-east-1 \
      AWS_ACCESS_KEY_ID=local AWS_SECRET_ACCESS_KEY=local python3 agent.py --user alice

    # against AWS: the stack's EmitFunctionName output, credentials and region as usual
    EMIT_FUNCTION_NAME=agentbridge-EmitFunction-AbC123 python3 agent.py --user alice
"""

import argparse
import json
import os
import random
import sys
import time
import uuid

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError, ConnectionError as BotoConnectionError, ReadTimeoutError

QUESTION = "Which is larger by area, Australia or the contiguous United States?"
ANSWER = ("The contiguous United States is slightly larger: about 8.08 million km² "
          "against Australia's 7.69 million km².")

# Invoke API errors worth another try; anything else (a wrong function name, no permission,
# a request too large) fails the same way again.
RETRYABLE_API_ERRORS = {"TooManyRequestsException", "ServiceException", "EC2ThrottledException",
                        "ResourceConflictException", "ResourceNotReadyException"}
# Function errors worth another try, from docs/events.md.
RETRYABLE_FUNCTION_ERRORS = {"ServiceUnavailable", "DeliveryFailed"}


class EmitError(Exception):
    """A request emit refused, or that kept failing after every attempt."""


class Run:
    """One agent run's event stream for one user: numbers events with seq from 0, gives each an
    event_id, and sends them in order, one request at a time."""

    def __init__(self, lambda_client, function_name, user_id, run_id, agent_name=None, attempts=4):
        self.lambda_client = lambda_client
        self.function_name = function_name
        self.user_id = user_id
        self.run_id = run_id
        self.agent_name = agent_name
        self.attempts = attempts
        self.seq = 0
        self.events = 0
        self.invokes = 0

    def emit(self, event_type, payload=None):
        event = {"event_id": "evt_" + uuid.uuid4().hex, "type": event_type, "run_id": self.run_id,
                 "seq": self.seq, "payload": payload or {}}
        if self.agent_name:
            event["agent_name"] = self.agent_name
        self.seq += 1
        self.send([event])
        self.events += 1

    def send(self, events):
        """Sends one request, retrying what may succeed with the very same body (same
        event_ids), with capped exponential backoff and full jitter."""
        body = json.dumps({"user_id": self.user_id, "events": events}).encode()
        for attempt in range(1, self.attempts + 1):
            self.invokes += 1
            try:
                out = self.lambda_client.invoke(FunctionName=self.function_name, Payload=body)
            except ClientError as err:
                code = err.response.get("Error", {}).get("Code", "")
                if code not in RETRYABLE_API_ERRORS or attempt == self.attempts:
                    raise EmitError(f"invoke failed: {code}: {err}") from err
            except (BotoConnectionError, ReadTimeoutError) as err:
                if attempt == self.attempts:
                    raise EmitError(f"invoke failed: {err}") from err
            else:
                result = json.loads(out["Payload"].read() or b"null")
                if "FunctionError" not in out:
                    return result
                error_type = (result or {}).get("errorType", "")
                if error_type not in RETRYABLE_FUNCTION_ERRORS or attempt == self.attempts:
                    raise EmitError(f"{error_type}: {(result or {}).get('errorMessage', '')}")
            time.sleep(random.uniform(0, min(5.0, 0.1 * 2 ** (attempt - 1))))
        raise EmitError("unreachable")


def stream_thinking(run, text, pause):
    words = text.split()
    for i in range(0, len(words), 3):
        run.emit("agent_thinking", {"text": " ".join(words[i:i + 3]) + " "})
        time.sleep(pause / 4)


def stream_answer(run, message_id, text, pause, window=0.05):
    """Streams text as a message, merging the words a model produces into one message_delta per
    window so a fast stream costs a bounded number of events."""
    run.emit("message_started", {"message_id": message_id, "role": "assistant"})
    pending, last = "", 0.0
    for i, word in enumerate(text.split()):
        pending += (" " if i else "") + word
        if time.monotonic() - last >= window:
            run.emit("message_delta", {"message_id": message_id, "delta": pending})
            pending, last = "", time.monotonic()
        time.sleep(pause / 16)
    if pending:
        run.emit("message_delta", {"message_id": message_id, "delta": pending})
    run.emit("message_completed", {"message_id": message_id, "text": text})


def play(run, pause, say):
    say("agent_started")
    run.emit("agent_started", {"input": {"question": QUESTION}})
    stream_thinking(run, "I should compare the two areas. Let me search for current figures.", pause)
    say("tool_executing web_search")
    run.emit("tool_executing", {"tool": "web_search", "call_id": "call_1",
                                "arguments": {"query": "area of Australia vs contiguous United States km2"}})
    time.sleep(2 * pause)
    say("tool_completed web_search")
    run.emit("tool_completed", {"tool": "web_search", "call_id": "call_1", "result": {"results": [
        {"title": "Australia - area", "snippet": "Total area: 7,688,287 km²"},
        {"title": "Contiguous United States", "snippet": "Area: 8,080,470 km²"}]}})
    say("message answer")
    stream_answer(run, "answer-1", ANSWER, pause)
    say("agent_completed")
    run.emit("agent_completed", {"result": {"answer": ANSWER}})


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--user", default="alice", help="user whose browser receives the run")
    parser.add_argument("--run", default=f"run-py-{int(time.time() * 1000)}", help="run id")
    parser.add_argument("--function", default=os.environ.get("EMIT_FUNCTION_NAME", "EmitFunction"),
                        help="emit function name (the stack's EmitFunctionName output on AWS)")
    parser.add_argument("--pause", type=float, default=0.4, help="seconds between steps of the run")
    args = parser.parse_args(argv)

    # The SDK's standard chain finds the region, credentials and, through
    # AWS_ENDPOINT_URL_LAMBDA, the local host; its own retries are off because Run retries.
    # boto3 reads AWS_DEFAULT_REGION; AWS_REGION (what the other SDKs read) is honoured too.
    lambda_client = boto3.client("lambda", region_name=os.environ.get("AWS_REGION") or None, config=Config(retries={"max_attempts": 1, "mode": "standard"},
                                                         read_timeout=35))
    run = Run(lambda_client, args.function, args.user, args.run, agent_name="researcher")
    print(f"run {args.run} for user {args.user}")
    try:
        play(run, args.pause, lambda step: print("  ->", step))
    except EmitError as err:
        print(f"agent: {err}", file=sys.stderr)
        return 1
    print(f"{run.events} events in {run.invokes} invokes")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
