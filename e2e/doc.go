// Package e2e holds end-to-end tests of the whole local stack: the host runs template.yaml,
// building and running the real function sources under the Lambda Runtime API against a
// dynalite it starts, and the tests drive it the way users do, with real WebSocket clients,
// the AWS SDK's Lambda and Management API clients, and the project's own binaries.
package e2e
