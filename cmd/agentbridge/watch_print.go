package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"
	"unicode"

	"github.com/agentbridge/agentbridge/client/subscribe"
	"github.com/agentbridge/agentbridge/protocol"
)

// summaryRunes bounds the payload summary of one line.
const summaryRunes = 120

// watchPrinter renders subscribe updates: events on out, one line each (or raw JSON), and
// status on the status writer. A message's deltas are appended to its line as they come.
type watchPrinter struct {
	out, status io.Writer
	json        bool
	run         string // run mode's run id, for status lines
	open        string // message_id whose line is still open on out; "" when none
}

func (p *watchPrinter) update(u subscribe.Update) {
	switch u.Kind {
	case subscribe.Event:
		if p.json {
			fmt.Fprintf(p.out, "%s\n", bytes.TrimSpace(u.Raw))
			return
		}
		p.event(u.Envelope)
	case subscribe.Connected:
		if p.run != "" {
			p.statusf("connected; replaying run %s after offset %d", p.run, u.Position)
		} else {
			p.statusf("connected; resuming after offset %d", u.Position)
		}
	case subscribe.Resumed:
		p.statusf("up to date through offset %d", u.Position)
	case subscribe.Replayed:
		p.statusf("replayed run %s through offset %d", u.Replayed.RunID, u.Replayed.Through)
	case subscribe.HistoryGone:
		p.statusf("history after offset %d is gone (past retention); continuing from %d", u.From, u.Through)
	case subscribe.Gap:
		p.statusf("offsets %d-%d never arrived; going on", u.From, u.Through)
	case subscribe.ServerError:
		if u.ControlError != nil && u.ControlError.Action != "" {
			p.statusf("server refused %s: %s", u.ControlError.Action, u.Message)
		} else {
			p.statusf("server: %s", u.Message)
		}
	case subscribe.Disconnected:
		p.statusf("disconnected: %v; reconnecting in %v", u.Err, u.Retry.Round(time.Millisecond))
	}
}

// finish ends an open message line.
func (p *watchPrinter) finish() { p.closeLine() }

func (p *watchPrinter) statusf(format string, args ...any) {
	p.closeLine() // keep status off a message's line when both go to one terminal
	fmt.Fprintf(p.status, "watch: "+format+"\n", args...)
}

func (p *watchPrinter) closeLine() {
	if p.open != "" {
		fmt.Fprintln(p.out)
		p.open = ""
	}
}

// event prints one envelope; message_* events build one growing line per message.
func (p *watchPrinter) event(env protocol.Envelope) {
	switch env.Type {
	case protocol.MessageStarted:
		var pl protocol.MessageStartedPayload
		_ = json.Unmarshal(env.Payload, &pl)
		p.closeLine()
		fmt.Fprintf(p.out, "%s message %s (%s): ", p.prefix(env), pl.MessageID, pl.Role)
		p.open = pl.MessageID
	case protocol.MessageDelta:
		var pl protocol.MessageDeltaPayload
		_ = json.Unmarshal(env.Payload, &pl)
		if p.open != pl.MessageID {
			p.closeLine()
			fmt.Fprintf(p.out, "%s message %s: ", p.prefix(env), pl.MessageID)
			p.open = pl.MessageID
		}
		fmt.Fprint(p.out, printable(pl.Delta))
	case protocol.MessageCompleted:
		var pl protocol.MessageCompletedPayload
		_ = json.Unmarshal(env.Payload, &pl)
		if p.open == pl.MessageID {
			p.closeLine()
			return
		}
		p.closeLine()
		fmt.Fprintf(p.out, "%s message %s completed", p.prefix(env), pl.MessageID)
		if pl.Text != "" {
			fmt.Fprintf(p.out, ": %s", shorten(pl.Text))
		}
		fmt.Fprintln(p.out)
	default:
		p.closeLine()
		fmt.Fprintf(p.out, "%s %s", p.prefix(env), env.Type)
		if s := summary(env); s != "" {
			fmt.Fprintf(p.out, "  %s", s)
		}
		fmt.Fprintln(p.out)
	}
}

// prefix is "time  #offset  run".
func (p *watchPrinter) prefix(env protocol.Envelope) string {
	ts := env.Timestamp
	if t, err := time.Parse(time.RFC3339Nano, env.Timestamp); err == nil {
		ts = t.UTC().Format("15:04:05.000")
	}
	off := "-"
	if env.Offset > 0 {
		off = fmt.Sprintf("#%d", env.Offset)
	}
	return fmt.Sprintf("%s  %-6s %s ", ts, off, env.RunID)
}

// summary is a short, one-line account of an event's payload.
func summary(env protocol.Envelope) string {
	switch env.Type {
	case protocol.AgentStarted:
		var pl protocol.StartedPayload
		if json.Unmarshal(env.Payload, &pl) == nil && len(pl.Input) > 0 {
			return "input " + compact(pl.Input)
		}
		return ""
	case protocol.AgentThinking:
		var pl protocol.ThinkingPayload
		if json.Unmarshal(env.Payload, &pl) == nil {
			return shorten(pl.Text)
		}
	case protocol.ToolExecuting:
		var pl protocol.ToolExecutingPayload
		if json.Unmarshal(env.Payload, &pl) == nil {
			return shorten(pl.Tool + "(" + compact(pl.Arguments) + ")")
		}
	case protocol.ToolCompleted:
		var pl protocol.ToolCompletedPayload
		if json.Unmarshal(env.Payload, &pl) == nil {
			if pl.Error != "" {
				return shorten(pl.Tool + " failed: " + pl.Error)
			}
			return shorten(pl.Tool + " -> " + compact(pl.Result))
		}
	case protocol.AgentCompleted:
		var pl protocol.CompletedPayload
		if json.Unmarshal(env.Payload, &pl) == nil && len(pl.Result) > 0 {
			return "result " + compact(pl.Result)
		}
		return ""
	case protocol.AgentError:
		var pl protocol.ErrorPayload
		if json.Unmarshal(env.Payload, &pl) == nil {
			if pl.Code != "" {
				return shorten(pl.Message + " [" + pl.Code + "]")
			}
			return shorten(pl.Message)
		}
	}
	return compact(env.Payload)
}

// compact renders JSON on one line, shortened.
func compact(raw json.RawMessage) string {
	if len(raw) == 0 {
		return ""
	}
	var b bytes.Buffer
	if json.Compact(&b, raw) != nil {
		return shorten(string(raw))
	}
	return shorten(b.String())
}

// shorten puts text on one line and cuts it at summaryRunes.
// printable drops control characters other than newlines and tabs, so an agent's text cannot
// drive the terminal with escape sequences.
func printable(s string) string {
	return strings.Map(func(r rune) rune {
		if r != '\n' && r != '\t' && (unicode.IsControl(r) || unicode.Is(unicode.Cf, r)) {
			return -1
		}
		return r
	}, s)
}

func shorten(s string) string {
	s = printable(strings.Join(strings.Fields(s), " "))
	if r := []rune(s); len(r) > summaryRunes {
		return string(r[:summaryRunes-1]) + "…"
	}
	return s
}
