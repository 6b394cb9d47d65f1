package lambdahost

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
)

// buildTailBytes is how much build output a build error quotes.
const buildTailBytes = 4 * 1024

// BuildRequest describes one SAM function to build for the host platform.
type BuildRequest struct {
	// LogicalID is the template resource name; make runs build-<LogicalID>.
	LogicalID string
	// CodeURI is the directory holding the Makefile or Go main package.
	CodeURI string
	// BuildMethod is Metadata.BuildMethod: "makefile" or "go1.x". Empty
	// means go1.x for the go1.x runtime and is an error otherwise.
	BuildMethod string
	// Handler names the executable for the go1.x runtime. Default "bootstrap".
	Handler string
	// Runtime is the function's Runtime. Default "provided.al2023".
	Runtime string
	// ArtifactsDir receives the executable; it is created if missing.
	ArtifactsDir string
	// Output receives the build's output as it runs. Nil discards.
	Output io.Writer
}

// withDefaults returns req with every unset field at its documented default.
func (req BuildRequest) withDefaults() BuildRequest {
	if req.Runtime == "" {
		req.Runtime = defaultRuntime
	}
	if req.Handler == "" {
		req.Handler = "bootstrap"
	}
	return req
}

// Build builds one function and returns the path of its executable.
func Build(ctx context.Context, req BuildRequest) (string, error) {
	req = req.withDefaults()
	dir, err := filepath.Abs(req.ArtifactsDir)
	if err != nil {
		return "", fmt.Errorf("build %s: artifacts dir: %w", req.LogicalID, err)
	}
	exe := filepath.Join(dir, executableName(req))
	cmd, err := buildCommand(ctx, req, dir, exe)
	if err != nil {
		return "", err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", fmt.Errorf("build %s: %w", req.LogicalID, err)
	}
	if err := runBuild(cmd, req.Output); err != nil {
		return "", fmt.Errorf("build %s: %w", req.LogicalID, err)
	}
	if _, err := os.Stat(exe); err != nil {
		return "", fmt.Errorf("build %s: the build did not produce %s", req.LogicalID, exe)
	}
	return exe, nil
}

// BuildAll builds the functions concurrently, at most one per CPU, and
// returns their executables in request order. All builds run even if one
// fails; the errors are joined.
func BuildAll(ctx context.Context, reqs []BuildRequest) ([]string, error) {
	exes := make([]string, len(reqs))
	errs := make([]error, len(reqs))
	sem := make(chan struct{}, runtime.NumCPU())
	var wg sync.WaitGroup
	for i, req := range reqs {
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			exes[i], errs[i] = Build(ctx, req)
		})
	}
	wg.Wait()
	return exes, errors.Join(errs...)
}

// executableName is what Lambda executes: bootstrap for provided.* runtimes,
// the handler for go1.x.
func executableName(req BuildRequest) string {
	if strings.HasPrefix(req.Runtime, "provided") {
		return "bootstrap"
	}
	return req.Handler
}

func buildCommand(ctx context.Context, req BuildRequest, dir, exe string) (*exec.Cmd, error) {
	method := req.BuildMethod
	if method == "" && req.Runtime == "go1.x" {
		method = "go1.x"
	}
	if !strings.HasPrefix(req.Runtime, "provided") && req.Runtime != "go1.x" {
		return nil, fmt.Errorf("build %s: runtime %s is not supported by the local host (only provided.* and go1.x)", req.LogicalID, req.Runtime)
	}
	var cmd *exec.Cmd
	switch method {
	case "makefile":
		cmd = exec.CommandContext(ctx, "make", "build-"+req.LogicalID, "ARTIFACTS_DIR="+dir)
	case "go1.x":
		cmd = exec.CommandContext(ctx, "go", "build", "-o", exe, ".")
		cmd.Env = append(cmd.Env, "CGO_ENABLED=0")
	default:
		return nil, fmt.Errorf("build %s: unsupported BuildMethod %q (want makefile or go1.x)", req.LogicalID, method)
	}
	cmd.Dir = req.CodeURI
	// The binary must run here, whatever the Makefile targets for AWS.
	cmd.Env = append(append(os.Environ(), cmd.Env...), "GOOS="+runtime.GOOS, "GOARCH="+runtime.GOARCH)
	return cmd, nil
}

// runBuild runs cmd, streaming its output and quoting the tail on failure.
func runBuild(cmd *exec.Cmd, out io.Writer) error {
	tail := newTailBuffer(buildTailBytes)
	w := io.Writer(tail)
	if out != nil {
		w = io.MultiWriter(out, tail)
	}
	cmd.Stdout, cmd.Stderr = w, w
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("%s: %w\n%s", strings.Join(cmd.Args, " "), err, tail.String())
	}
	return nil
}
