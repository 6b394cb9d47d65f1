package samtemplate

import (
	"errors"
	"fmt"
	"strings"
)

// Error reports a problem at one place in the template. Every error Load
// and Parse return for template content is an *Error.
type Error struct {
	// Resource is the logical id of the resource, or "" for a problem
	// outside Resources (Parameters, Conditions, the document itself).
	Resource string
	// Path is the property path inside the resource, e.g.
	// Properties.Environment.Variables.X, or the section path such as
	// Conditions.IsProd; "" when the whole resource or document is meant.
	Path string
	// Err is the cause; it may be an *UnsupportedError or *ParameterError.
	Err error
}

func (e *Error) Error() string {
	var b strings.Builder
	if e.Resource != "" {
		fmt.Fprintf(&b, "resource %s: ", e.Resource)
	}
	if e.Path != "" {
		fmt.Fprintf(&b, "%s: ", e.Path)
	}
	b.WriteString(e.Err.Error())
	return b.String()
}

func (e *Error) Unwrap() error { return e.Err }

// UnsupportedError reports a template feature that cannot be reproduced
// locally, such as Fn::ImportValue.
type UnsupportedError struct {
	// Feature names what is unsupported, e.g. "Fn::ImportValue".
	Feature string
}

func (e *UnsupportedError) Error() string {
	return e.Feature + " is not supported locally"
}

// Reasons a parameter cannot be resolved, wrapped by *ParameterError.
var (
	// ErrNoValue: the parameter has no Default and no override.
	ErrNoValue = errors.New("has no Default and no override")
	// ErrNotAllowed: the value breaks AllowedValues, AllowedPattern, a
	// length or value bound, or the Number type.
	ErrNotAllowed = errors.New("value not allowed")
	// ErrUnknownParameter: an override names a parameter the template
	// does not declare.
	ErrUnknownParameter = errors.New("is not declared in the template")
)

// ParameterError reports a parameter that cannot be resolved. Its message
// never contains the value of a NoEcho parameter.
type ParameterError struct {
	// Name is the parameter's name.
	Name string
	// Detail explains the problem, without any NoEcho value.
	Detail string
	// Err is ErrNoValue, ErrNotAllowed or ErrUnknownParameter.
	Err error
}

func (e *ParameterError) Error() string {
	if e.Detail == "" {
		return fmt.Sprintf("parameter %s %v", e.Name, e.Err)
	}
	return fmt.Sprintf("parameter %s: %v: %s", e.Name, e.Err, e.Detail)
}

func (e *ParameterError) Unwrap() error { return e.Err }

// atPath wraps err as an *Error at path unless it already is one, so the
// innermost location is the one reported.
func atPath(path string, err error) error {
	var e *Error
	if path == "" || errors.As(err, &e) {
		return err
	}
	return &Error{Path: path, Err: err}
}

// inResource sets the resource of err when no inner resource claimed it.
func inResource(id string, err error) error {
	var e *Error
	if !errors.As(err, &e) {
		return &Error{Resource: id, Err: err}
	}
	if e.Resource == "" {
		e.Resource = id
	}
	return err
}
