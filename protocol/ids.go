package protocol

import (
	"errors"
	"fmt"
	"unicode"
	"unicode/utf8"
)

// ErrInvalidID is wrapped by every error ValidateID returns.
var ErrInvalidID = errors.New("invalid id")

// ValidateID checks a user, run or thread id: 1 to MaxIDLength characters of valid UTF-8 with
// no whitespace, no control characters and no format characters (Unicode category Cf: zero-width
// spaces and joiners, byte order marks, bidirectional overrides). Ids are compared byte for byte
// everywhere, so an id that differs from another only by padding or an invisible character must
// never be accepted.
func ValidateID(id string) error {
	switch {
	case id == "":
		return fmt.Errorf("%w: empty", ErrInvalidID)
	case !utf8.ValidString(id):
		return fmt.Errorf("%w: not valid UTF-8", ErrInvalidID)
	case utf8.RuneCountInString(id) > MaxIDLength:
		return fmt.Errorf("%w: longer than %d characters", ErrInvalidID, MaxIDLength)
	}
	for _, r := range id {
		if unicode.IsSpace(r) || unicode.IsControl(r) || unicode.Is(unicode.Cf, r) || r == utf8.RuneError {
			return fmt.Errorf("%w: contains whitespace, a control or an invisible format character", ErrInvalidID)
		}
	}
	return nil
}

// ValidateName checks a display name such as agent_name: at most MaxIDLength characters of valid
// UTF-8, spaces allowed, no control characters.
func ValidateName(name string) error {
	if !utf8.ValidString(name) {
		return fmt.Errorf("%w: not valid UTF-8", ErrInvalidID)
	}
	if utf8.RuneCountInString(name) > MaxIDLength {
		return fmt.Errorf("%w: longer than %d characters", ErrInvalidID, MaxIDLength)
	}
	for _, r := range name {
		if unicode.IsControl(r) {
			return fmt.Errorf("%w: contains a control character", ErrInvalidID)
		}
	}
	return nil
}
