// Package lambdahost runs compiled Lambda function binaries on this machine the
// way AWS Lambda runs them, so that unmodified aws-lambda-go programs (or any
// custom runtime) work locally.
//
// What it promises:
//
//   - Each function process gets its own Runtime API (2018-06-01) on a private
//     127.0.0.1 listener, named in AWS_LAMBDA_RUNTIME_API, and an environment
//     built like Lambda's rather than inherited from the host.
//   - A warm pool per function: processes start on the first invoke, are
//     reused, handle one invocation at a time, and grow up to MaxConcurrency;
//     further callers queue until a process frees up or their context ends.
//   - Lambda's failure semantics: a process that passes its deadline is killed
//     (Sandbox.Timedout); a process that exits mid-invocation fails that
//     invocation (Runtime.ExitError); an invocation handed to a process that
//     died before taking it is retried on another process; init failures fail
//     the waiting invocation and are retried only by the next invoke.
//   - The Invoke API (2015-03-31): ServeInvoke and ServeGetFunction, answering
//     the way the real service does so aws-sdk-go-v2's lambda client maps its
//     errors. devhost's router.go routes them; Handler routes them alone.
//   - Invoke's Result is the one invoke result of the local host: the gateway's
//     Invoker returns it too, and a failed function's Payload is the Lambda
//     error document protocol.FunctionError.
//   - Build (and BuildAll, one build per CPU at most) turns a SAM function
//     (BuildMethod makefile or go1.x) into an executable for the host
//     platform, quoting the tail of the build output on failure.
//
// Concurrency: a Host is safe for concurrent use. Register functions before
// serving traffic. Close kills every process group it started and waits for
// them; after Close, Invoke returns ErrHostClosed.
//
// Where to start reading: host.go (the Go API), pool.go (process reuse and
// failure handling), runtimeapi.go (what a function process talks to) and
// invokeapi.go (the HTTP face for SDK callers). Tests drive real function
// processes built from testdata/fn/testfn.
package lambdahost
