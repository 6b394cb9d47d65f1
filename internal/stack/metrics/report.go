package metrics

import (
	"encoding/json"

	"github.com/agentbridge/agentbridge/protocol"
)

// Counts are a delivery report's integer fields by JSON name. A field the report type does not
// have is absent, which is different from zero.
type Counts map[string]int

// ReadReport reads r's counts by their wire names. Going through JSON ties the metrics to the
// documented report rather than to the Go struct's current set of fields.
func ReadReport(r protocol.DeliveryReport) Counts {
	b, err := json.Marshal(r)
	if err != nil {
		return Counts{}
	}
	var all map[string]json.RawMessage
	if err := json.Unmarshal(b, &all); err != nil {
		return Counts{}
	}
	c := make(Counts, len(all))
	for k, raw := range all {
		var n int
		if json.Unmarshal(raw, &n) == nil {
			c[k] = n
		}
	}
	return c
}

// UndeliveredReason reports why no message of a request was delivered, when that is the case
// for a reason other than gone: nothing delivered, at least one connection, and some messages
// failed, stayed throttled or were not attempted. The reason is the largest of those counts
// (ties in the order failed, throttled, deadline). It returns "" when the request counts as
// delivered: some message got through, the user had no connections, or every connection was gone.
func (c Counts) UndeliveredReason() string {
	if c["delivered"] > 0 || c["connections"] == 0 {
		return ""
	}
	reason, most := "", 0
	for _, k := range []struct{ field, reason string }{
		{"failed", ReasonFailed}, {"throttled", ReasonThrottled}, {"not_attempted", ReasonDeadline},
	} {
		if n := c[k.field]; n > most {
			reason, most = k.reason, n
		}
	}
	return reason
}
