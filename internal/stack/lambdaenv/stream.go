package lambdaenv

import (
	"fmt"
	"time"
)

// Environment variables of the event stream table; template.yaml sets them.
const (
	EnvStreamTable     = "STREAM_TABLE"
	EnvStreamRetention = "STREAM_RETENTION"
)

// DefaultStreamRetention matches the template's StreamRetentionHours default.
const DefaultStreamRetention = 24 * time.Hour

// Stream is what emit, connect and the stream function need to reach the event stream table.
type Stream struct {
	Table     string
	Retention time.Duration
}

// LoadStream reads the stream table settings; the table is required.
func LoadStream(getenv Getenv) (Stream, error) {
	s := Stream{Table: getenv(EnvStreamTable), Retention: DefaultStreamRetention}
	if s.Table == "" {
		return s, fmt.Errorf("%s is not set", EnvStreamTable)
	}
	if v := getenv(EnvStreamRetention); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d <= 0 {
			return s, fmt.Errorf("%s=%q is not a positive duration such as 24h", EnvStreamRetention, v)
		}
		s.Retention = d
	}
	return s, nil
}
