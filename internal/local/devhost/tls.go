package devhost

import (
	"bufio"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"time"
)

// dualListener serves plain HTTP and TLS on one port. Handlers build the management endpoint
// as https://{domainName}/{stage} from API Gateway events; with domainName set to the host's
// address, that URL must answer here. A TLS client's first byte is a handshake record (0x16),
// which no HTTP request starts with. Functions trust the certificate through AWS_CA_BUNDLE.
type dualListener struct {
	net.Listener
	tls      *tls.Config
	certFile string
}

func newDualListener(ln net.Listener, dir string) (*dualListener, error) {
	cert, certFile, err := loadOrCreateCert(dir)
	if err != nil {
		return nil, fmt.Errorf("TLS certificate in %s: %w", dir, err)
	}
	return &dualListener{Listener: ln, tls: &tls.Config{Certificates: []tls.Certificate{cert}}, certFile: certFile}, nil
}

// loadOrCreateCert returns the certificate kept in dir, creating it when missing or expiring.
// Hosts sharing a build directory share the certificate, so no host's functions are left
// trusting a certificate another host replaced: the pair lives in one file that is only ever
// replaced whole (rename), and every host uses what is on disk after its own write.
func loadOrCreateCert(dir string) (tls.Certificate, string, error) {
	pairFile := filepath.Join(dir, "localhost-pair.pem")
	certFile := filepath.Join(dir, "localhost.pem")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return tls.Certificate{}, "", err
	}
	pair, err := readPair(pairFile)
	if err != nil {
		if pair, err = newPairPEM(); err != nil {
			return tls.Certificate{}, "", err
		}
		if err := writeAtomic(pairFile, pair, 0o600); err != nil {
			return tls.Certificate{}, "", err
		}
		if pair, err = readPair(pairFile); err != nil {
			return tls.Certificate{}, "", err
		}
	}
	cert, err := tls.X509KeyPair(pair, pair)
	if err != nil {
		return tls.Certificate{}, "", err
	}
	certPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: cert.Certificate[0]})
	if err := writeAtomic(certFile, certPEM, 0o644); err != nil {
		return tls.Certificate{}, "", err
	}
	return cert, certFile, nil
}

// readPair reads a certificate and key PEM pair that is valid for at least another day.
func readPair(file string) ([]byte, error) {
	pair, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	cert, err := tls.X509KeyPair(pair, pair)
	if err != nil {
		return nil, err
	}
	leaf, err := x509.ParseCertificate(cert.Certificate[0])
	if err != nil {
		return nil, err
	}
	if time.Until(leaf.NotAfter) < 24*time.Hour {
		return nil, fmt.Errorf("certificate expires %s", leaf.NotAfter)
	}
	return pair, nil
}

func writeAtomic(file string, data []byte, mode os.FileMode) error {
	tmp, err := os.CreateTemp(filepath.Dir(file), ".tmp-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Chmod(mode); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), file)
}

// Accept hands out connections as they come; the protocol is decided on the first read, in
// the connection's own goroutine, so a silent client never blocks Accept.
func (d *dualListener) Accept() (net.Conn, error) {
	c, err := d.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return &sniffConn{Conn: c, r: bufio.NewReaderSize(c, 16), tls: d.tls}, nil
}

// sniffConn peeks at the first byte and becomes a TLS server connection when it is one.
type sniffConn struct {
	net.Conn
	r       *bufio.Reader
	tls     *tls.Config
	decided bool
	tlsConn *tls.Conn
}

func (s *sniffConn) Read(p []byte) (int, error) {
	if !s.decided {
		s.decided = true
		if b, err := s.r.Peek(1); err == nil && b[0] == 0x16 {
			s.tlsConn = tls.Server(&bufferedConn{Conn: s.Conn, r: s.r}, s.tls)
		}
	}
	if s.tlsConn != nil {
		return s.tlsConn.Read(p)
	}
	if s.r.Buffered() > 0 {
		return s.r.Read(p)
	}
	return s.Conn.Read(p)
}

func (s *sniffConn) Write(p []byte) (int, error) {
	if s.tlsConn != nil {
		return s.tlsConn.Write(p)
	}
	return s.Conn.Write(p)
}

// bufferedConn reads through the reader that holds the peeked bytes.
type bufferedConn struct {
	net.Conn
	r *bufio.Reader
}

func (b *bufferedConn) Read(p []byte) (int, error) { return b.r.Read(p) }

// newPairPEM makes a self-signed certificate for 127.0.0.1, ::1 and localhost, returned as
// one PEM document holding the certificate and its key.
func newPairPEM() ([]byte, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(time.Now().UnixNano()),
		Subject:               pkix.Name{CommonName: "agentbridge local host"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(365 * 24 * time.Hour),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		IsCA:                  true,
		BasicConstraintsValid: true,
		DNSNames:              []string{"localhost"},
		IPAddresses:           []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, err
	}
	keyDER, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		return nil, err
	}
	out := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	return append(out, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER})...), nil
}
