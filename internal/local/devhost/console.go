package devhost

import (
	"context"
	"fmt"
	"path/filepath"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/agentbridge/agentbridge/internal/local/console"
	"github.com/agentbridge/agentbridge/internal/stack/connstore"
)

// emitFunction is the logical id of the function the console's example run invokes.
const emitFunction = "EmitFunction"

// startConsole wires the console to this host: tokens from Options.DevToken, connections from
// the table the functions use, the example run through the emit function.
func (h *Host) startConsole() {
	dir := h.opts.ConsoleDir
	if dir == "" {
		dir = filepath.Join(h.opts.ModuleRoot, "web", "console", "dist")
	}
	cfg := console.Config{Dir: dir, WebSocketURL: h.WebSocketURL(), Token: h.opts.DevToken, Logger: h.opts.Logger}
	if table := h.connectionsTable(); table != "" {
		db := dynamodb.NewFromConfig(h.awsConfig(), func(o *dynamodb.Options) { o.BaseEndpoint = aws.String(h.dynamoEP) })
		store := connstore.New(db, table, connstore.Options{})
		cfg.Connections = func(ctx context.Context, user string) ([]console.Connection, error) {
			rows, err := store.Live(ctx, user)
			out := make([]console.Connection, 0, len(rows))
			for _, r := range rows {
				out = append(out, console.Connection{ConnectionID: r.ConnectionID, ConnectedAt: r.ConnectedAt, SourceIP: r.SourceIP})
			}
			return out, err
		}
	}
	if _, ok := h.tmpl.Functions[emitFunction]; ok {
		cfg.Emit = func(ctx context.Context, req []byte) error {
			r, err := h.invoker.Invoke(ctx, h.functionName(emitFunction), req)
			if err != nil {
				return err
			}
			if r.FunctionError != "" {
				return fmt.Errorf("%s: %s", emitFunction, r.Payload)
			}
			return nil
		}
	}
	h.console = console.New(cfg)
}

// connectionsTable is the table the template's functions keep connections in.
func (h *Host) connectionsTable() string {
	for _, f := range h.tmpl.Functions {
		if t := f.Environment["CONNECTIONS_TABLE"]; t != "" {
			return t
		}
	}
	return ""
}

// ConsoleURL is where the live console is served.
func (h *Host) ConsoleURL() string { return h.BaseURL() + "/" }
