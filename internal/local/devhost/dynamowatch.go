package devhost

import (
	"context"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/agentbridge/agentbridge/internal/local/dynamoserver"
)

// Close code and reason for connections whose mappings were lost with DynamoDB's tables:
// 1012 (Service Restart) tells clients to reconnect, which stores a fresh mapping.
const (
	closeServiceRestart = 1012
	reasonStoreLost     = "Service restart: connection store lost; reconnect"
)

// maxRestartDelay caps the wait between attempts to restart a DynamoDB server that fails
// to come back.
const maxRestartDelay = 30 * time.Second

// watchDynamoDB keeps the stack's DynamoDB usable until ctx ends: a server the host started
// is restarted on its port when it exits; an endpoint given by the user is checked every
// DynamoDBHealthInterval. Whenever the tables had to be created again, the connections
// opened before are closed with 1012, since their mappings are gone and emits would never
// reach them.
func (h *Host) watchDynamoDB(ctx context.Context) {
	if h.dynamo != nil {
		h.superviseServer(ctx)
		return
	}
	h.checkEndpoint(ctx)
}

func (h *Host) superviseServer(ctx context.Context) {
	for {
		srv := h.dynamo
		select {
		case <-ctx.Done():
			return
		case <-srv.Exited():
		}
		if ctx.Err() != nil {
			return // stopped by Close
		}
		h.opts.Logger.Error("DynamoDB server exited; restarting it on the same port (its tables and every connection mapping are lost)",
			"server", srv.Kind, "endpoint", srv.Endpoint, "pid", srv.PID(), "err", srv.ExitErr())
		next, ok := h.restartServer(ctx, srv)
		h.dynamo = next // even when not ok: whatever runs is Close's to stop
		if !ok {
			return
		}
		n := h.gateway.CloseOpenedBefore(time.Now(), closeServiceRestart, reasonStoreLost)
		h.opts.Logger.Info("DynamoDB server restarted and tables recreated; closed the connections it lost (code 1012) so clients reconnect",
			"endpoint", next.Endpoint, "pid", next.PID(), "closed", n)
	}
}

// restartServer starts srv again, with its tables, retrying with backoff until it works or
// ctx ends. It returns the last server it started (srv when none started) and whether that
// one is ready.
func (h *Host) restartServer(ctx context.Context, srv *dynamoserver.Server) (*dynamoserver.Server, bool) {
	delay := 500 * time.Millisecond
	for {
		next, err := srv.Restart(ctx)
		if err == nil {
			if _, err = h.ensureTables(ctx); err == nil {
				return next, true
			}
			srv = next
		}
		if ctx.Err() != nil {
			return srv, false
		}
		h.opts.Logger.Warn("DynamoDB server restart failed; retrying", "in", delay, "err", err)
		select {
		case <-ctx.Done():
			return srv, false
		case <-time.After(delay):
		}
		delay = min(2*delay, maxRestartDelay)
	}
}

// checkEndpoint reports, in one line each, when the user's endpoint stops answering and when
// it answers again; it is not the host's to restart. Tables missing on its return (an
// in-memory server restarted) are recreated, and the connections they mapped closed.
func (h *Host) checkEndpoint(ctx context.Context) {
	tick := time.NewTicker(h.opts.DynamoDBHealthInterval)
	defer tick.Stop()
	up := true
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		err := h.pingDynamoDB(ctx)
		switch {
		case ctx.Err() != nil:
			return
		case err != nil && up:
			up = false
			h.opts.Logger.Error("DynamoDB is not answering; connects and emits fail until it is back", "endpoint", h.dynamoEP, "err", err)
		case err == nil && !up:
			up = h.recovered(ctx) // tables not checked: try again at the next tick
		}
	}
}

// recovered recreates the tables an endpoint lost while it was away and closes the
// connections they mapped, reporting it all in one line; false when the tables could not be
// checked.
func (h *Host) recovered(ctx context.Context) bool {
	created, err := h.ensureTables(ctx)
	n := 0
	if len(created) > 0 {
		n = h.gateway.CloseOpenedBefore(time.Now(), closeServiceRestart, reasonStoreLost)
	}
	if err != nil {
		h.opts.Logger.Error("DynamoDB answers again, but its tables could not be checked", "endpoint", h.dynamoEP, "err", err)
		return false
	}
	h.opts.Logger.Info("DynamoDB answers again", "endpoint", h.dynamoEP, "tablesRecreated", len(created), "connectionsClosed", n)
	return true
}

// pingDynamoDB is one ListTables call, without retries, bounded by the check interval.
func (h *Host) pingDynamoDB(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, h.opts.DynamoDBHealthInterval)
	defer cancel()
	_, err := h.db.ListTables(ctx, &dynamodb.ListTablesInput{Limit: aws.Int32(1)}, func(o *dynamodb.Options) { o.RetryMaxAttempts = 1 })
	return err
}
