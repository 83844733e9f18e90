package gatehouse

import (
	"errors"
	"fmt"
)

// Error codes. Each is the API's "error.code" and maps to one HTTP status in
// the web package.
const (
	EINVALID      = "invalid"            // bad input; 400
	ENOTFOUND     = "not_found"          // no such resource; 404
	ECONFLICT     = "conflict"           // duplicate or a rule of the domain; 409
	EUNAUTHORIZED = "unauthorized"       // no or bad credentials; 401
	EFORBIDDEN    = "forbidden"          // authenticated but not allowed; 403
	ETOOLARGE     = "too_large"          // request body over its limit; 413
	ERATELIMITED  = "rate_limited"       // too many requests; 429
	EMETHOD       = "method_not_allowed" // the path takes other HTTP methods; 405
	EINTERNAL     = "internal"           // a failure, not a refusal; 500
)

// An Error is a refusal that a person can act on: its Message is written for
// the person in front of the page or the API client, and its Code says what
// kind of refusal it is. Any error that is not an *Error is a failure and is
// reported as EINTERNAL.
type Error struct {
	Code    string
	Message string
	// Field names the input field at fault, when there is one ("name",
	// "permissions[1]"). Empty otherwise.
	Field string
}

// Error implements the error interface.
func (e *Error) Error() string {
	if e.Field != "" {
		return fmt.Sprintf("gatehouse error: code=%s field=%s message=%s", e.Code, e.Field, e.Message)
	}
	return fmt.Sprintf("gatehouse error: code=%s message=%s", e.Code, e.Message)
}

// Errorf returns an *Error with the given code and a formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Invalidf returns an EINVALID *Error that names the field at fault.
func Invalidf(field, format string, args ...any) *Error {
	return &Error{Code: EINVALID, Field: field, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of err if it is, or wraps, an *Error; EINTERNAL
// for any other non-nil error; and "" for nil.
func ErrorCode(err error) string {
	var e *Error
	switch {
	case err == nil:
		return ""
	case errors.As(err, &e):
		return e.Code
	}
	return EINTERNAL
}

// ErrorMessage returns the message of err if it is, or wraps, an *Error, and
// "Internal error." otherwise, so that details of a failure never reach the
// person.
func ErrorMessage(err error) string {
	var e *Error
	switch {
	case err == nil:
		return ""
	case errors.As(err, &e):
		return e.Message
	}
	return "Internal error."
}
