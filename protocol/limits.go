package protocol

// Limits of the protocol. They follow API Gateway's WebSocket quotas.
const (
	// MaxEnvelopeBytes is the largest envelope emit sends: API Gateway's 128 KB message limit.
	MaxEnvelopeBytes = 128 * 1024
	// MaxEventsPerRequest bounds one emit request so a single invoke stays within Lambda's limits.
	MaxEventsPerRequest = 500
	// MaxDeliveriesPerInvoke bounds the fan-out one emit invoke takes on: events in the request
	// times live connections of the user. A request of two or more events beyond it is refused
	// with ErrorTypeFanoutTooLarge before anything is sent; a request of one event is always
	// taken on. At 16 connections posted to in parallel it is 625 rounds of posts, which fits
	// the function's 29 s timeout at tens of milliseconds per post.
	MaxDeliveriesPerInvoke = 10000
	// MaxIDLength bounds user, run and thread ids and agent names, in characters.
	MaxIDLength = 128
	// MaxRequestBytes is Lambda's synchronous invoke payload limit.
	MaxRequestBytes = 6 * 1024 * 1024
)
