package main

import (
	"bytes"
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/coder/websocket"
)

// streamTable is the physical table name the local host gives StreamTable.
const streamTable = "StreamTable"

// streamResult is the durable stream: what storing every event first costs on the full path, and
// how long a tab that missed events takes to catch up by resuming.
type streamResult struct {
	Write   dist // one PutItem of an event-sized item on the host's DynamoDB, from this process
	Path    dist // one event, emit call to the tab's read, one tab, requests one at a time
	Invoke  dist // the emit call alone in the same loop
	Missed  int  // events each catch-up resumes
	CatchUp dist // resume sent to resumed received, Missed envelopes in between
}

func runStream(ctx context.Context, cfg config, h *hostProc, p progress) (streamResult, error) {
	res := streamResult{Missed: cfg.S5Missed}
	var err error
	if res.Write, err = streamWrites(ctx, h, cfg.S5Samples); err != nil {
		return res, fmt.Errorf("S5: %w", err)
	}
	p.printf("S5: DynamoDB PutItem p50 %.3f ms", ms(res.Write.p50()))
	if res.Path, res.Invoke, err = streamPath(ctx, h, cfg.S5Samples); err != nil {
		return res, fmt.Errorf("S5: %w", err)
	}
	p.printf("S5: full path with storage p50 %.3f ms (invoke p50 %.3f ms)", ms(res.Path.p50()), ms(res.Invoke.p50()))
	if res.CatchUp, err = streamCatchUp(ctx, h, cfg.S5Missed, cfg.S5Rounds); err != nil {
		return res, fmt.Errorf("S5: %w", err)
	}
	p.printf("S5: %d missed events caught up in p50 %.1f ms", cfg.S5Missed, ms(res.CatchUp.p50()))
	return res, nil
}

// streamWrites times PutItem of an item shaped like a stored 200 B event, under a user no tab uses.
func streamWrites(ctx context.Context, h *hostProc, n int) (dist, error) {
	db := dynamodb.NewFromConfig(awsConfig(), func(o *dynamodb.Options) { o.BaseEndpoint = aws.String(h.dynamoEP) })
	envelope := `{"type":"agent_thinking","event_id":"evt_0123456789abcdefghjkmnpqrs","offset":1,"run_id":"r","timestamp":"2026-01-01T00:00:00.000Z","payload":{"text":"` + strings.Repeat("x", 200) + `"}}`
	var samples recorder
	for i := range n {
		item := map[string]types.AttributeValue{
			"userId": &types.AttributeValueMemberS{Value: "s5-writes"}, "sk": &types.AttributeValueMemberS{Value: "e#w" + strconv.Itoa(i)},
			"offset": &types.AttributeValueMemberN{Value: strconv.Itoa(i + 1)}, "runKey": &types.AttributeValueMemberS{Value: fmt.Sprintf("r %020d", i+1)},
			"envelope": &types.AttributeValueMemberS{Value: envelope}, "expiresAt": &types.AttributeValueMemberN{Value: strconv.FormatInt(time.Now().Add(time.Hour).Unix(), 10)},
		}
		t0 := time.Now()
		if _, err := db.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(streamTable), Item: item, ConditionExpression: aws.String("attribute_not_exists(sk)")}); err != nil {
			return dist{}, fmt.Errorf("PutItem: %w", err)
		}
		samples.record(time.Since(t0))
	}
	return samples.dist(), nil
}

// streamPath emits n single events with event ids, one at a time, to a user with one tab, and times
// each from the emit call to the tab's read.
func streamPath(ctx context.Context, h *hostProc, n int) (path, invoke dist, err error) {
	const user = "s5-path"
	c, err := streamDial(ctx, h, user)
	if err != nil {
		return path, invoke, err
	}
	defer c.CloseNow()
	lc := lambdaClient(h.baseURL())
	var paths, invokes recorder
	for i := range n {
		body := streamEvents(user, "path", i, i+1, 200)
		t0 := time.Now()
		if err := streamEmit(ctx, lc, body); err != nil {
			return path, invoke, err
		}
		invokes.record(time.Since(t0))
		if _, _, err := c.Read(ctx); err != nil {
			return path, invoke, fmt.Errorf("read: %w", err)
		}
		paths.record(time.Since(t0))
	}
	return paths.dist(), invokes.dist(), nil
}

// streamCatchUp stores missed events for a fresh user while no tab is connected, then opens a tab
// and times its resume from 0 until the resumed message, rounds times.
func streamCatchUp(ctx context.Context, h *hostProc, missed, rounds int) (dist, error) {
	lc := lambdaClient(h.baseURL())
	var samples recorder
	for r := range rounds {
		user := fmt.Sprintf("s5-catchup-%d", r)
		for from := 0; from < missed; from += 100 {
			if err := streamEmit(ctx, lc, streamEvents(user, "away", from, min(from+100, missed), 200)); err != nil {
				return dist{}, err
			}
		}
		c, err := streamDial(ctx, h, user)
		if err != nil {
			return dist{}, err
		}
		t0 := time.Now()
		got, err := streamResume(ctx, c)
		took := time.Since(t0)
		c.CloseNow()
		if err != nil {
			return dist{}, err
		}
		if got != missed {
			return dist{}, fmt.Errorf("resume returned %d events, want %d", got, missed)
		}
		samples.record(took)
	}
	return samples.dist(), nil
}

// streamResume sends a resume from 0 (continuing while the answer is cut at the limit) and counts
// the envelopes until the complete resumed message.
func streamResume(ctx context.Context, c *websocket.Conn) (int, error) {
	events, after := 0, int64(0)
	for {
		if err := c.Write(ctx, websocket.MessageText, fmt.Appendf(nil, `{"action":"resume","after":%d}`, after)); err != nil {
			return events, err
		}
		for {
			_, msg, err := c.Read(ctx)
			if err != nil {
				return events, err
			}
			if !bytes.HasPrefix(msg, []byte(`{"type":"resumed"`)) {
				events++
				continue
			}
			if bytes.Contains(msg, []byte(`"complete":true`)) {
				return events, nil
			}
			through, ok := intAfter(msg, []byte(`"through":`))
			if !ok || through <= after {
				return events, fmt.Errorf("resume made no progress: %s", msg)
			}
			after = through
			break
		}
	}
}

func streamDial(ctx context.Context, h *hostProc, user string) (*websocket.Conn, error) {
	tok, err := mintToken(user)
	if err != nil {
		return nil, err
	}
	return dialUser(ctx, h.wsURL(), tok)
}

func streamEmit(ctx context.Context, lc *lambda.Client, body string) error {
	out, err := lc.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("EmitFunction"), Payload: []byte(body)})
	if err != nil {
		return fmt.Errorf("invoke: %w", err)
	}
	if out.FunctionError != nil {
		return fmt.Errorf("emit: %s", out.Payload)
	}
	return nil
}

// streamEvents renders a batch of agent_thinking events from..to-1 with event ids and size-byte texts.
func streamEvents(user, run string, from, to, size int) string {
	pad := strings.Repeat("x", size)
	evs := make([]string, 0, to-from)
	for i := from; i < to; i++ {
		evs = append(evs, fmt.Sprintf(`{"type":"agent_thinking","event_id":"evt-%s-%d","run_id":%q,"seq":%d,"payload":{"text":%q}}`, run, i, run, i, pad))
	}
	return fmt.Sprintf(`{"user_id":%q,"events":[%s]}`, user, strings.Join(evs, ","))
}
