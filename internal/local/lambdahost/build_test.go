package lambdahost

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// writeMakefile writes a SAM-style Makefile whose targets record the
// platform they were asked to build for.
func writeMakefile(t *testing.T) string {
	dir := t.TempDir()
	mk := "GOOS ?= linux\nGOARCH ?= arm64\n\n" +
		"build-EmitFunction build-ConnectFunction:\n" +
		"\tprintf '#!/bin/sh\\n' > $(ARTIFACTS_DIR)/bootstrap\n" +
		"\tchmod +x $(ARTIFACTS_DIR)/bootstrap\n" +
		"\techo $(GOOS)/$(GOARCH) > $(ARTIFACTS_DIR)/platform\n\n" +
		"build-BrokenFunction:\n" +
		"\t@echo 'main.go:3: undefined: handler'\n" +
		"\t@exit 1\n"
	if err := os.WriteFile(filepath.Join(dir, "Makefile"), []byte(mk), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

func TestBuildMakefileTargetsHostPlatform(t *testing.T) {
	t.Parallel()
	src := writeMakefile(t)
	art := t.TempDir()
	reqs := []BuildRequest{
		{LogicalID: "EmitFunction", CodeURI: src, BuildMethod: "makefile", ArtifactsDir: filepath.Join(art, "EmitFunction")},
		{LogicalID: "ConnectFunction", CodeURI: src, BuildMethod: "makefile", ArtifactsDir: filepath.Join(art, "ConnectFunction")},
	}
	exes, err := BuildAll(t.Context(), reqs)
	if err != nil {
		t.Fatal(err)
	}
	for i, exe := range exes {
		if exe != filepath.Join(reqs[i].ArtifactsDir, "bootstrap") {
			t.Errorf("executable = %s", exe)
		}
		platform, _ := os.ReadFile(filepath.Join(reqs[i].ArtifactsDir, "platform"))
		if got, want := strings.TrimSpace(string(platform)), runtime.GOOS+"/"+runtime.GOARCH; got != want {
			t.Errorf("built for %s, want the host's %s", got, want)
		}
	}
}

func TestBuildErrors(t *testing.T) {
	t.Parallel()
	src := writeMakefile(t)
	cases := []struct {
		req  BuildRequest
		want []string
	}{
		{BuildRequest{LogicalID: "BrokenFunction", CodeURI: src, BuildMethod: "makefile"},
			[]string{"BrokenFunction", "main.go:3: undefined: handler"}},
		{BuildRequest{LogicalID: "PyFunction", CodeURI: src, Runtime: "python3.12"},
			[]string{"PyFunction", "python3.12"}},
		{BuildRequest{LogicalID: "NoMethod", CodeURI: src},
			[]string{"NoMethod", "BuildMethod"}},
	}
	for _, tc := range cases {
		tc.req.ArtifactsDir = t.TempDir()
		_, err := Build(t.Context(), tc.req)
		if err == nil {
			t.Fatalf("%s: no error", tc.req.LogicalID)
		}
		for _, w := range tc.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%s: error %q does not mention %q", tc.req.LogicalID, err, w)
			}
		}
	}
}

func TestBuildGo1xAndRun(t *testing.T) {
	t.Parallel()
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("no go toolchain")
	}
	art := t.TempDir()
	var out syncBuffer
	exe, err := Build(t.Context(), BuildRequest{
		LogicalID: "EchoFunction", CodeURI: "testdata/fn/testfn", BuildMethod: "go1.x",
		Runtime: "provided.al2023", ArtifactsDir: art, Output: &out,
	})
	if err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	if exe != filepath.Join(art, "bootstrap") {
		t.Fatalf("executable = %s", exe)
	}
	h := newHost(t, Config{}, FunctionSpec{Name: "EchoFunction", Executable: exe})
	if r := invoke(t, h, "EchoFunction", `{"action":"echo","data":"built"}`); r.Data != "built" {
		t.Fatalf("reply = %+v", r)
	}
}
