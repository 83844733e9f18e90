package web

import (
	"errors"
	"net/http"

	"github.com/gatehouse-sso/gatehouse"
)

// statusOf maps an error code to its HTTP status: the one table of it.
var statusOf = map[string]int{
	gatehouse.EINVALID:      http.StatusBadRequest,
	gatehouse.EUNAUTHORIZED: http.StatusUnauthorized,
	gatehouse.EFORBIDDEN:    http.StatusForbidden,
	gatehouse.ENOTFOUND:     http.StatusNotFound,
	gatehouse.ECONFLICT:     http.StatusConflict,
	gatehouse.ETOOLARGE:     http.StatusRequestEntityTooLarge,
	gatehouse.ERATELIMITED:  http.StatusTooManyRequests,
	gatehouse.EMETHOD:       http.StatusMethodNotAllowed,
	gatehouse.EINTERNAL:     http.StatusInternalServerError,
}

// errorStatus returns the HTTP status for err.
func errorStatus(err error) int {
	if s, ok := statusOf[gatehouse.ErrorCode(err)]; ok {
		return s
	}
	return http.StatusInternalServerError
}

// apiError is the body of every API error.
type apiError struct {
	Error apiErrorBody `json:"error"`
}

type apiErrorBody struct {
	Code    string `json:"code" desc:"One of invalid, unauthorized, forbidden, not_found, method_not_allowed, conflict, too_large, rate_limited, internal."`
	Message string `json:"message" desc:"What went wrong, for a person."`
	Field   string `json:"field,omitempty" desc:"The input field at fault, when there is one."`
	// RequestID lets an operator find a failure in the logs.
	RequestID string `json:"request_id,omitempty" desc:"Identifies the request in the server's logs."`
}

// renderError writes err for the client: as JSON under /api and /scim,
// as a page elsewhere. Failures (anything but a *gatehouse.Error) are
// logged with their detail and shown as "Internal error." with the request
// ID; refusals are logged at info level.
func (s *Server) renderError(w http.ResponseWriter, r *http.Request, err error) {
	status := errorStatus(err)
	id := requestID(r.Context())
	if gatehouse.ErrorCode(err) == gatehouse.EINTERNAL {
		s.logger.ErrorContext(r.Context(), "request failed", "err", err, "status", status)
	} else {
		s.logger.InfoContext(r.Context(), "request refused", "code", gatehouse.ErrorCode(err), "message", gatehouse.ErrorMessage(err))
	}
	var ge *gatehouse.Error
	field := ""
	if errors.As(err, &ge) {
		field = ge.Field
	}
	body := apiErrorBody{Code: gatehouse.ErrorCode(err), Message: gatehouse.ErrorMessage(err), Field: field, RequestID: id}
	if status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Bearer realm="gatehouse"`)
	}
	if wantsJSON(r) {
		writeJSON(w, status, apiError{Error: body})
		return
	}
	s.renderTitled(w, r, status, "error", "Error", errorPage{Status: status, Code: body.Code, Message: body.Message, RequestID: id})
}

// errorPage is the data of the error page.
type errorPage struct {
	Status    int
	Code      string
	Message   string
	RequestID string
}
