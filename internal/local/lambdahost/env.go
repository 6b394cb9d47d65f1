package lambdahost

import (
	"crypto/rand"
	"encoding/hex"
	"sort"
	"strconv"
	"time"
)

// Lambda's PATH for provided runtimes; the host's PATH is not inherited.
const lambdaPath = "/usr/local/bin:/usr/bin/:/bin:/opt/bin"

// environ builds a process environment the way Lambda does: Lambda's own
// variables, then the caller's credential variables, then the function's
// variables (which win), and finally the Runtime API address, which nothing
// may override because the process could not run without it.
func (f *function) environ(runtimeAPI, logStream string) []string {
	s := f.spec
	vars := map[string]string{
		"PATH":                            lambdaPath,
		"HOME":                            "/tmp",
		"LANG":                            "en_US.UTF-8",
		"TZ":                              ":UTC",
		"AWS_LAMBDA_FUNCTION_NAME":        s.Name,
		"AWS_LAMBDA_FUNCTION_MEMORY_SIZE": strconv.Itoa(s.MemoryMB),
		"AWS_LAMBDA_FUNCTION_VERSION":     "$LATEST",
		"AWS_LAMBDA_INITIALIZATION_TYPE":  "on-demand",
		"AWS_LAMBDA_LOG_GROUP_NAME":       "/aws/lambda/" + s.Name,
		"AWS_LAMBDA_LOG_STREAM_NAME":      logStream,
		"AWS_REGION":                      s.Region,
		"AWS_DEFAULT_REGION":              s.Region,
		"AWS_EXECUTION_ENV":               "AWS_Lambda_" + s.Runtime,
		"_HANDLER":                        s.Handler,
		"LAMBDA_TASK_ROOT":                s.Dir,
	}
	if s.LogFormat != "" {
		vars["AWS_LAMBDA_LOG_FORMAT"] = s.LogFormat
	}
	for k, v := range f.host.cfg.CredentialsEnv {
		vars[k] = v
	}
	for k, v := range s.Env {
		vars[k] = v
	}
	vars["AWS_LAMBDA_RUNTIME_API"] = runtimeAPI
	return flatten(vars)
}

func flatten(vars map[string]string) []string {
	env := make([]string, 0, len(vars))
	for k, v := range vars {
		env = append(env, k+"="+v)
	}
	sort.Strings(env)
	return env
}

// newLogStreamName mimics Lambda's "2024/01/20/[$LATEST]<32 hex>".
func newLogStreamName(now time.Time) string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return now.UTC().Format("2006/01/02") + "/[$LATEST]" + hex.EncodeToString(b[:])
}
