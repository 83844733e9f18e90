package web

import (
	"crypto/subtle"
	"net/http"
	"net/url"

	"github.com/gatehouse-sso/gatehouse"
)

// sessionUser returns the session of r's cookie and its user.
func (s *Server) sessionUser(r *http.Request) (*gatehouse.Session, *gatehouse.User, error) {
	return s.cfg.Login.Session(r.Context(), cookieValue(r, sessionCookie))
}

// checkCSRF refuses a form of the signed-in console whose token is not the
// session's.
func (s *Server) checkCSRF(r *http.Request, sess *gatehouse.Session) error {
	if subtle.ConstantTimeCompare([]byte(r.PostFormValue("csrf")), []byte(sess.CSRF)) != 1 {
		return gatehouse.Errorf(gatehouse.EFORBIDDEN, "This form has expired. Go back, reload the page and try again.")
	}
	return nil
}

// requireSession returns the session and user of r, or sends the browser
// to the login page and returns ok false.
func (s *Server) requireSession(w http.ResponseWriter, r *http.Request) (*gatehouse.Session, *gatehouse.User, bool) {
	sess, u, err := s.sessionUser(r)
	if err == nil {
		return sess, u, true
	}
	if gatehouse.ErrorCode(err) == gatehouse.EINTERNAL {
		s.renderError(w, r, err)
		return nil, nil, false
	}
	http.Redirect(w, r, "/login?return_to="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
	return nil, nil, false
}
