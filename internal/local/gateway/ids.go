package gateway

import (
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"io"
)

// idBytes is the entropy of an AWS-style id: 11 bytes give the 16-character padded
// base64 form AWS uses, e.g. "R1kmxc2VNjMCFIA=".
const idBytes = 11

// readID returns an id in AWS's form read from src.
func readID(src io.Reader) (string, error) {
	var b [idBytes]byte
	if _, err := io.ReadFull(src, b[:]); err != nil {
		return "", fmt.Errorf("gateway: reading random id: %w", err)
	}
	return base64.StdEncoding.EncodeToString(b[:]), nil
}

// requestID returns a fresh request, message or extended request id. These need not be
// tracked: only connection ids must never repeat.
func requestID() string {
	var b [idBytes]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails (it aborts the process instead)
	return base64.StdEncoding.EncodeToString(b[:])
}

// validConnectionID reports whether id has the form of an AWS connection id, so that
// well-formed unknown ids get 410 and malformed ones 400, as on AWS.
func validConnectionID(id string) bool {
	if len(id) != base64.StdEncoding.EncodedLen(idBytes) {
		return false
	}
	b, err := base64.StdEncoding.Strict().DecodeString(id)
	return err == nil && len(b) == idBytes
}
