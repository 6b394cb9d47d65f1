// Package eventcodec turns an emit request into the envelopes clients receive.
//
// Decode is strict on purpose: member names match exactly (encoding/json would let "User_ID"
// fill user_id), a duplicated key anywhere is refused (encoding/json keeps the last one, which
// could retarget an event), unknown members are refused, and every event is validated and
// rendered before anything is sent, so a bad request is delivered to nobody. Errors are
// *Error values whose Code is ErrorTypeValidation or ErrorTypePayloadTooLarge and whose
// message names the offending field as a path such as events[2].payload.tool.
package eventcodec
