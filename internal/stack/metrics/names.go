package metrics

// DefaultNamespace is the CloudWatch namespace when EnvNamespace is unset. template.yaml sets
// agentbridge/<stack name>, so two stacks in one account never share a series.
const DefaultNamespace = "agentbridge"

// EnvNamespace names the variable FromEnv reads the namespace from.
const EnvNamespace = "METRICS_NAMESPACE"

// Dimension names.
const (
	DimFunction  = "Function"
	DimReason    = "Reason"
	DimErrorType = "ErrorType"
)

// Function dimension values.
const (
	FunctionEmit    = "emit"
	FunctionConnect = "connect"
)

// Emit's metrics, one value per request. The counts are messages (event x connection) unless
// named otherwise.
const (
	Events       = "Events"       // events in the request
	Connections  = "Connections"  // live connections of the user
	Delivered    = "Delivered"    // messages the gateway accepted
	Gone         = "Gone"         // messages to connections that answered 410
	StaleRemoved = "StaleRemoved" // connections found gone and removed
	Throttled    = "Throttled"    // messages skipped because the connection stayed throttled (429)
	Failed       = "Failed"       // messages that failed for any other reason
	NotAttempted = "NotAttempted" // messages not tried before the invocation's deadline
	Stored       = "Stored"       // events newly written to the durable stream
	Duplicates   = "Duplicates"   // events whose event_id the stream already held
	FanoutTime   = "FanoutTime"   // milliseconds from the connections lookup to the last post
	// DeliveryFailed is 1 for a request none of whose messages was delivered for a reason other
	// than gone; its Reason dimension says which count dominated (see the Reason* values).
	DeliveryFailed = "DeliveryFailed"
	// EmitErrors is 1 for a request that ended in a function error; ErrorType is the protocol
	// error type (ValidationError, PayloadTooLarge, ServiceUnavailable, DeliveryFailed).
	EmitErrors = "EmitErrors"
)

// Reasons a request's delivery failed as a whole.
const (
	ReasonFailed    = "failed"
	ReasonThrottled = "throttled"
	ReasonDeadline  = "deadline"
)

// Connect's metrics, one per $connect.
const (
	ConnectAccepted = "ConnectAccepted"
	// ConnectRefused carries a Reason from the auth package's refusal reasons (no_token,
	// too_long, expired, missing_claim, wrong_audience, wrong_issuer, wrong_client,
	// wrong_token_use, bad_signature, unknown_key, invalid) or "store" when the mapping could
	// not be written.
	ConnectRefused = "ConnectRefused"
)

// reportFields maps a DeliveryReport's JSON field names to metric names, in output order.
var reportFields = []struct{ field, metric string }{
	{"events", Events},
	{"connections", Connections},
	{"delivered", Delivered},
	{"gone", Gone},
	{"stale_removed", StaleRemoved},
	{"throttled", Throttled},
	{"failed", Failed},
	{"not_attempted", NotAttempted},
	{"stored", Stored},
	{"duplicates", Duplicates},
}
