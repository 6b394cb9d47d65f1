// Command testfn is a Lambda function used by the lambdahost tests. The
// event's "action" picks a behaviour; TESTFN_INIT makes initialisation fail.
package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-lambda-go/lambdacontext"
)

type event struct {
	Action  string `json:"action"`
	Data    string `json:"data"`
	SleepMS int    `json:"sleep_ms"`
	Size    int    `json:"size"`
	Pad     string `json:"pad"`
}

type reply struct {
	PID        int               `json:"pid"`
	Data       string            `json:"data,omitempty"`
	RequestID  string            `json:"request_id"`
	ARN        string            `json:"arn"`
	DeadlineMS int64             `json:"deadline_ms"`
	Env        map[string]string `json:"env,omitempty"`
	ChildPID   int               `json:"child_pid,omitempty"`
	Len        int               `json:"len,omitempty"`
	Blob       string            `json:"blob,omitempty"`
}

func handle(ctx context.Context, ev event) (reply, error) {
	r := reply{PID: os.Getpid(), Data: ev.Data}
	if lc, ok := lambdacontext.FromContext(ctx); ok {
		r.RequestID, r.ARN = lc.AwsRequestID, lc.InvokedFunctionArn
	}
	if d, ok := ctx.Deadline(); ok {
		r.DeadlineMS = d.UnixMilli()
	}
	switch ev.Action {
	case "sleep":
		time.Sleep(time.Duration(ev.SleepMS) * time.Millisecond)
	case "error":
		return r, errors.New("boom")
	case "panic":
		panic("kaboom")
	case "exit":
		os.Exit(2)
	case "env":
		r.Env = environ()
	case "print":
		fmt.Println("to stdout: " + ev.Data)
		fmt.Fprintln(os.Stderr, "to stderr: "+ev.Data)
	case "spawn":
		cmd := exec.Command("sleep", "300")
		if err := cmd.Start(); err != nil {
			return r, err
		}
		r.ChildPID = cmd.Process.Pid
	case "size":
		r.Len = len(ev.Pad)
	case "big":
		r.Blob = strings.Repeat("x", ev.Size)
	}
	return r, nil
}

func environ() map[string]string {
	env := map[string]string{}
	for _, kv := range os.Environ() {
		k, v, _ := strings.Cut(kv, "=")
		env[k] = v
	}
	return env
}

// failInit fails the way TESTFN_INIT asks, before lambda.Start.
func failInit(mode string) {
	switch mode {
	case "exit":
		fmt.Fprintln(os.Stderr, "config missing")
		os.Exit(3)
	case "hang":
		time.Sleep(time.Hour)
	case "post":
		url := "http://" + os.Getenv("AWS_LAMBDA_RUNTIME_API") + "/2018-06-01/runtime/init/error"
		body := `{"errorMessage":"bad config","errorType":"InitConfigError"}`
		req, _ := http.NewRequest(http.MethodPost, url, bytes.NewBufferString(body))
		req.Header.Set("Lambda-Runtime-Function-Error-Type", "InitConfigError")
		if resp, err := http.DefaultClient.Do(req); err == nil {
			fmt.Println("init error posted:", resp.StatusCode)
			resp.Body.Close()
		}
		os.Exit(1)
	}
}

func main() {
	failInit(os.Getenv("TESTFN_INIT"))
	lambda.Start(handle)
}
