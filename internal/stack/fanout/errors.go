package fanout

import (
	"errors"
	"fmt"
)

// ErrStore wraps a failure to read the user's connections; nothing was sent.
var ErrStore = errors.New("connection store unavailable")

// TooLargeError refuses a request whose fan-out (events x connections) exceeds
// Options.MaxDeliveries; nothing was sent. A request of one event is never refused, so splitting
// a refused request always ends.
type TooLargeError struct {
	Events, Connections, Max int
}

func (e *TooLargeError) Error() string {
	return fmt.Sprintf("events: %d events to %d connections is %d deliveries, over the %d one invoke takes on; send at most %d events per request to this user",
		e.Events, e.Connections, e.Events*e.Connections, e.Max, e.MaxEvents())
}

// MaxEvents is the largest request the user's connections allow, at least 1.
func (e *TooLargeError) MaxEvents() int { return max(e.Max/max(e.Connections, 1), 1) }
