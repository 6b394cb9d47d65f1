package e2e

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/agentbridge/agentbridge/internal/local/devhost"
	"github.com/agentbridge/agentbridge/internal/local/dynamoserver"
	"github.com/agentbridge/agentbridge/internal/testsupport/dynamotest"
)

// testSecret is the development secret the shared host's template gets.
const testSecret = "e2e-development-secret"

var (
	shared  *devhost.Host // the stack most tests share
	binDir  string        // the project's binaries, built once
	repoDir = dynamotest.ModuleRoot()
)

func TestMain(m *testing.M) {
	code, err := setUp(m)
	if err != nil {
		fmt.Fprintln(os.Stderr, "e2e:", err)
		code = 1
	}
	os.Exit(code)
}

func setUp(m *testing.M) (int, error) {
	dir, err := os.MkdirTemp("", "agentbridge-e2e-")
	if err != nil {
		return 1, err
	}
	defer os.RemoveAll(dir)
	binDir = dir
	for _, pkg := range []string{"./cmd/agentbridge", "./examples/agent"} {
		cmd := exec.Command("go", "build", "-o", binDir+string(os.PathSeparator), pkg)
		cmd.Dir, cmd.Stderr = repoDir, os.Stderr
		if err := cmd.Run(); err != nil {
			return 1, fmt.Errorf("build %s: %w", pkg, err)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	shared, err = startHost(ctx, devhost.Options{})
	if err != nil {
		if os.Getenv("AGENTBRIDGE_REQUIRE_INTEGRATION") != "1" {
			fmt.Fprintln(os.Stderr, "e2e: skipped, the local stack could not start:", err)
			return 0, nil
		}
		return 1, err
	}
	defer shared.Close()
	return m.Run(), nil
}

// startHost runs template.yaml on a free loopback port with the test secret and any other
// parameter overrides opts carries; a BuildDir of its own keeps its binaries apart.
func startHost(ctx context.Context, opts devhost.Options) (*devhost.Host, error) {
	opts.Template = filepath.Join(repoDir, "template.yaml")
	opts.Addr = "127.0.0.1:0"
	overrides := map[string]string{"DevHmacSecret": testSecret}
	for k, v := range opts.Overrides {
		overrides[k] = v
	}
	opts.Overrides = overrides
	if opts.BuildDir == "" {
		opts.BuildDir = filepath.Join(repoDir, ".build", "e2e")
	}
	if os.Getenv("AGENTBRIDGE_DYNAMODB") == "moto" {
		opts.DynamoDBServer = dynamoserver.Moto
	}
	if os.Getenv("E2E_VERBOSE") == "1" {
		opts.Output = os.Stderr
	}
	return devhost.Start(ctx, opts)
}
