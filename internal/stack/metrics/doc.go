// Package metrics writes the functions' CloudWatch metrics as Embedded Metric Format (EMF) log
// lines: one JSON object per line on the function's stdout, from which CloudWatch Logs extracts
// the metrics without any API call on the request path.
//
// Contract:
//   - Every line is one complete EMF document: an "_aws" member with the timestamp and the metric
//     directives, the dimension values and the metric values as root members.
//   - Dimensions never carry request data: only Function ("emit", "connect") and a Reason or
//     ErrorType from a small fixed set, so the number of metric series stays bounded no matter
//     how many users there are. User ids, connection ids and IPs never appear in a metric line.
//   - Delivery counts are read from a protocol.DeliveryReport by its JSON field names (see
//     ReadReport): a metric is written for each known field the report carries, so a report that
//     gains a field (gone, throttled, not_attempted, stored, duplicates) gains its metric with
//     no change here.
//   - The lines carry no "level" member, so Lambda's log-level filter treats them as INFO: an
//     ApplicationLogLevel of WARN or ERROR drops them, and the metrics with them.
package metrics
