package devhost

import (
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"io"
	"net"
	"net/http"
	"os"
	"strconv"
	"testing"
)

func TestDualListenerServesPlainAndTLSOnOnePort(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	dl, err := newDualListener(ln, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "hello") })}
	go srv.Serve(dl)
	t.Cleanup(func() { srv.Close() })

	pemBytes, err := os.ReadFile(dl.certFile)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pemBytes) {
		t.Fatal("certificate file holds no certificate")
	}
	secure := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	for name, get := range map[string]func() (*http.Response, error){
		"http":            func() (*http.Response, error) { return http.Get("http://" + ln.Addr().String()) },
		"https":           func() (*http.Response, error) { return secure.Get("https://" + ln.Addr().String()) },
		"https localhost": func() (*http.Response, error) { return secure.Get("https://localhost:" + port(ln)) },
	} {
		resp, err := get()
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if string(body) != "hello" {
			t.Errorf("%s answered %q", name, body)
		}
	}
}

func port(ln net.Listener) string { return strconv.Itoa(ln.Addr().(*net.TCPAddr).Port) }

func TestLineWriterPrefixesWholeLines(t *testing.T) {
	t.Parallel()
	var out bytes.Buffer
	w := prefixed(&out, "fn")
	io.WriteString(w, "first li")
	io.WriteString(w, "ne\nsecond\nthi")
	if got, want := out.String(), "[fn] first line\n[fn] second\n"; got != want {
		t.Errorf("output = %q, want %q", got, want)
	}
	if prefixed(nil, "x") != nil {
		t.Error("a nil output must stay nil")
	}
}

func TestHostsSharingABuildDirShareOneCertificate(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	var files [][]byte
	for range 2 {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		dl, err := newDualListener(ln, dir)
		if err != nil {
			t.Fatal(err)
		}
		ln.Close()
		b, err := os.ReadFile(dl.certFile)
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, b)
	}
	if !bytes.Equal(files[0], files[1]) {
		t.Error("a second host replaced the first host's certificate")
	}
}
