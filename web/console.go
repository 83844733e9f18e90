package web

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"maps"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/gatehouse-sso/gatehouse"
)

// The console is the signed-in part of the web interface: server-rendered
// pages whose forms post back, each change through the same service calls
// as the API. Every page is reached through s.page and every form through
// s.action, which require a session and check the form's CSRF token; a
// successful form redirects (post/redirect/get) with a one-time notice,
// and a refused one shows its page again with the message and the values
// typed.

// noticeCookie carries the one-time notice of a successful form to the
// page it redirects to.
const noticeCookie = "gh_notice"

// consoleNav is the signed-in header: who is signed in and what they
// administer.
type consoleNav struct {
	User *gatehouse.User
	// CSRF is the session's token, for the header's logout form.
	CSRF          string
	Enterprises   []*gatehouse.Enterprise
	Organizations []*gatehouse.Organization
	// Path is the path of the page, to mark the current link.
	Path string
}

// Administers reports whether the user administers anything.
func (n *consoleNav) Administers() bool { return len(n.Enterprises)+len(n.Organizations) > 0 }

type navKey struct{}

// navOf returns the header of r's console page, or nil outside the console.
func navOf(r *http.Request) *consoleNav {
	n, _ := r.Context().Value(navKey{}).(*consoleNav)
	return n
}

// console is one signed-in request of the console.
type console struct {
	sess  *gatehouse.Session
	user  *gatehouse.User
	actor gatehouse.Actor
	// status is the status of the page: 200, or that of a refused form.
	status int
	notice *notice
	failed *failedForm
	// shown is a secret to show once on the page (a new token).
	shown *shownSecret
}

// A failedForm is a refused form, shown again with its values.
type failedForm struct {
	// Form is the value of the form's "form" field, naming it.
	Form    string
	Message string
	Values  url.Values
}

// A notice is the one-time message of a form that worked.
type notice struct {
	Text string
	// Warn marks what worked but needs the admin's attention.
	Warn bool
}

// A shownSecret is a token shown once, right after it was created.
type shownSecret struct {
	Name, Secret string
}

// Field returns the secret as a field with a copy button.
func (s *shownSecret) Field() copyField {
	return copyField{ID: "new-token", Label: "Token " + s.Name, Value: s.Secret}
}

// consoleView is what every console page's data embeds.
type consoleView struct {
	CSRF   string
	Notice *notice
	Failed *failedForm
	Shown  *shownSecret
}

// view returns the common data of c's page.
func (c *console) view() consoleView {
	return consoleView{CSRF: c.sess.CSRF, Notice: c.notice, Failed: c.failed, Shown: c.shown}
}

// Posted returns what the refused form named form posted in field, or def
// when the page does not show that form refused.
func (v consoleView) Posted(form, field, def string) string {
	if v.Failed == nil || v.Failed.Form != form {
		return def
	}
	return v.Failed.Values.Get(field)
}

// Checked reports whether the refused form named form posted value in
// field, or def when the page does not show that form refused.
func (v consoleView) Checked(form, field, value string, def bool) bool {
	if v.Failed == nil || v.Failed.Form != form {
		return def
	}
	for _, x := range v.Failed.Values[field] {
		if x == value {
			return true
		}
	}
	return false
}

// pageFunc renders one console page for c.
type pageFunc func(w http.ResponseWriter, r *http.Request, c *console) error

// actionFunc carries out one console form. It returns where to go next,
// or an error: a refusal shows the form's page again. It may set cookies
// on w, but writes no body.
type actionFunc func(w http.ResponseWriter, r *http.Request, c *console) (outcome, error)

// An outcome is where a successful form leads.
type outcome struct {
	// Notice is shown once on the next page; Warn shows it as a warning.
	Notice string
	Warn   bool
	// Redirect is the page to go to; "" shows the form's page at once,
	// which a secret shown once needs.
	Redirect string
}

// openConsole returns the console of r's session, and r with the header
// in its context, or sends the browser to the login page.
func (s *Server) openConsole(w http.ResponseWriter, r *http.Request) (*console, *http.Request, bool) {
	sess, u, ok := s.requireSession(w, r)
	if !ok {
		return nil, r, false
	}
	c, r, err := s.consoleOf(r, sess, u)
	if err != nil {
		s.renderError(w, r, err)
		return nil, r, false
	}
	return c, r, true
}

// consoleOf returns the console of sess and u, and r with the header in
// its context.
func (s *Server) consoleOf(r *http.Request, sess *gatehouse.Session, u *gatehouse.User) (*console, *http.Request, error) {
	c := &console{sess: sess, user: u, actor: gatehouse.UserActor(u), status: http.StatusOK}
	adm, err := s.cfg.Admin.Administered(r.Context(), c.actor)
	if err != nil {
		return nil, r, err
	}
	nav := &consoleNav{User: u, CSRF: sess.CSRF, Enterprises: adm.Enterprises, Organizations: adm.Organizations, Path: r.URL.Path}
	return c, r.WithContext(context.WithValue(r.Context(), navKey{}, nav)), nil
}

// withNav serves next with the signed-in header when r has a session, for
// pages that are not the console's but are seen signed in.
func (s *Server) withNav(next http.HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r, err := s.navRequest(r)
		if err != nil {
			s.renderError(w, r, err)
			return
		}
		next(w, r)
	})
}

// navRequest returns r carrying the signed-in header of its session, or r
// itself when nobody is signed in.
func (s *Server) navRequest(r *http.Request) (*http.Request, error) {
	sess, u, err := s.sessionUser(r)
	if err != nil {
		return r, nil
	}
	_, withNav, err := s.consoleOf(r, sess, u)
	if err != nil {
		return r, err
	}
	return withNav, nil
}

// page serves a console page.
func (s *Server) page(fn pageFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, r, ok := s.openConsole(w, r)
		if !ok {
			return
		}
		c.notice = s.takeNotice(w, r)
		if err := fn(w, r, c); err != nil {
			s.renderError(w, r, err)
		}
	})
}

// action serves a console form: it checks the session and the CSRF token,
// runs act, and redirects, or shows page again with act's refusal.
func (s *Server) action(act actionFunc, page pageFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, r, ok := s.openConsole(w, r)
		if !ok {
			return
		}
		if err := parseConsoleForm(r); err != nil {
			s.renderError(w, r, err)
			return
		}
		if err := s.checkCSRF(r, c.sess); err != nil {
			s.renderError(w, r, err)
			return
		}
		out, err := act(w, r, c)
		switch {
		case err == nil && out.Redirect != "":
			s.setNotice(w, out)
			http.Redirect(w, r, out.Redirect, http.StatusSeeOther)
			return
		case err == nil:
			c.notice = out.notice()
		case gatehouse.ErrorCode(err) == gatehouse.EINTERNAL:
			s.renderError(w, r, err)
			return
		default:
			s.logger.InfoContext(r.Context(), "form refused", "code", gatehouse.ErrorCode(err), "message", gatehouse.ErrorMessage(err))
			c.status = errorStatus(err)
			c.failed = &failedForm{Form: r.PostForm.Get("form"), Message: gatehouse.ErrorMessage(err), Values: r.PostForm}
		}
		if err := page(w, r, c); err != nil {
			s.renderError(w, r, err)
		}
	})
}

// parseConsoleForm reads r's form, url-encoded or multipart. Its body,
// metadata uploads included, is capped by maxRequestBody, which observe
// applies to every request.
func parseConsoleForm(r *http.Request) error {
	var err error
	if ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); ct == "multipart/form-data" {
		err = r.ParseMultipartForm(maxRequestBody)
	} else {
		err = r.ParseForm()
	}
	var big *http.MaxBytesError
	switch {
	case errors.As(err, &big):
		return gatehouse.Errorf(gatehouse.ETOOLARGE, "The form is larger than Gatehouse accepts (%d MiB).", big.Limit>>20)
	case err != nil:
		return gatehouse.Errorf(gatehouse.EINVALID, "The form could not be read.")
	}
	return nil
}

// render writes the console page name for c.
func (s *Server) render(w http.ResponseWriter, r *http.Request, c *console, name, title string, data any) error {
	s.renderTitled(w, r, c.status, name, title, data)
	return nil
}

// notice returns the notice of o, or nil.
func (o outcome) notice() *notice {
	if o.Notice == "" {
		return nil
	}
	return &notice{Text: o.Notice, Warn: o.Warn}
}

// setNotice keeps the notice of o for the next page: its text, after "!"
// for a warning.
func (s *Server) setNotice(w http.ResponseWriter, o outcome) {
	if n := o.notice(); n != nil {
		v := n.Text
		if n.Warn {
			v = "!" + v
		}
		s.setCookie(w, noticeCookie, base64.RawURLEncoding.EncodeToString([]byte(v)), time.Minute, http.SameSiteLaxMode)
	}
}

// takeNotice returns the notice kept for this page, or nil, and forgets it.
func (s *Server) takeNotice(w http.ResponseWriter, r *http.Request) *notice {
	v := cookieValue(r, noticeCookie)
	if v == "" {
		return nil
	}
	s.setCookie(w, noticeCookie, "", -1, http.SameSiteLaxMode)
	msg, err := base64.RawURLEncoding.DecodeString(v)
	if err != nil || len(msg) == 0 || len(msg) > 1000 {
		return nil
	}
	text, warn := strings.CutPrefix(string(msg), "!")
	return &notice{Text: text, Warn: warn}
}

// registerConsoleRoutes adds the console's pages and forms.
func (s *Server) registerConsoleRoutes() {
	s.registerAccountRoutes()
	s.registerEnterpriseRoutes()
	s.registerSSORoutes()
	s.registerOrganizationRoutes()
	s.mux.Handle("/", s.withNav(s.handleNoRoute))
}

// handleNoRoute handles the requests no other route matches, with the
// error page, or the JSON, that every other error gets: 405 naming the
// methods the path takes, or else 404.
func (s *Server) handleNoRoute(w http.ResponseWriter, r *http.Request) {
	if allowed := s.allowedMethods(r); len(allowed) > 0 {
		list := strings.Join(allowed, ", ")
		w.Header().Set("Allow", list)
		s.renderError(w, r, gatehouse.Errorf(gatehouse.EMETHOD, "%s cannot be sent a %s request; it takes %s.", r.URL.Path, r.Method, list))
		return
	}
	s.renderError(w, r, errNoPage(r))
}

// errNoPage refuses r, whose path leads nowhere.
func errNoPage(r *http.Request) error {
	return gatehouse.Errorf(gatehouse.ENOTFOUND, "There is no page at %s. Check the address, or start again from the menu.", r.URL.Path)
}

// allowedMethods returns the methods that have a route for r's path.
func (s *Server) allowedMethods(r *http.Request) []string {
	var out []string
	probe := *r
	for _, m := range []string{http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete} {
		probe.Method = m
		if _, pattern := s.mux.Handler(&probe); pattern != "/" && pattern != "" {
			out = append(out, m)
		}
	}
	return out
}

// consoleFuncs are the functions the page templates may call.
var consoleFuncs = template.FuncMap{
	"when":    formatTime,
	"details": formatDetails,
	"within":  within,
}

// within reports whether path is prefix or a page under it.
func within(path, prefix string) bool {
	return path == prefix || strings.HasPrefix(path, prefix+"/")
}

// formatTime shows t to people, in UTC; the zero time is "never".
func formatTime(t time.Time) string {
	if t.IsZero() {
		return "never"
	}
	return t.UTC().Format("2006-01-02 15:04 UTC")
}

// formatDetails shows an audit event's details as "key: value" pairs, by key.
func formatDetails(d map[string]any) string {
	parts := make([]string, 0, len(d))
	for _, k := range slices.Sorted(maps.Keys(d)) {
		v, err := json.Marshal(d[k])
		if err != nil {
			v = []byte(fmt.Sprint(d[k]))
		}
		parts = append(parts, k+": "+strings.Trim(string(v), `"`))
	}
	return strings.Join(parts, "; ")
}
