package protocol

// Limits of the protocol. They follow API Gateway's WebSocket quotas.
const (
	// MaxEnvelopeBytes is the largest envelope emit sends: API Gateway's 128 KB message limit.
	MaxEnvelopeBytes = 128 * 1024
	// MaxEventsPerRequest bounds one emit request so a single invoke stays within Lambda's limits.
	MaxEventsPerRequest = 500
	// MaxIDLength bounds user, run and thread ids and agent names, in characters.
	MaxIDLength = 128
	// MaxRequestBytes is Lambda's synchronous invoke payload limit.
	MaxRequestBytes = 6 * 1024 * 1024
)
