package devidp

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"time"

	"github.com/crewjam/saml"
)

// maxLoginForm bounds the login form: credentials plus the AuthnRequest query string.
const maxLoginForm = 64 << 10

// Handler returns the IdP's routes under BaseURL's path. Mount it there without
// stripping the prefix, as in mux.Handle("/devidp/", idp.Handler()).
//
//	GET  {base}/          a page about the IdP and its users
//	GET  {base}/metadata  the SAML metadata
//	GET  {base}/sso       SP-initiated sign-on (HTTP-Redirect binding): the login page
//	POST {base}/login     the login form; it answers the AuthnRequest it carries
func (p *IdP) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET "+p.basePath+"/{$}", p.handleIndex)
	mux.HandleFunc("GET "+p.basePath+"/metadata", p.handleMetadata)
	mux.HandleFunc("GET "+p.basePath+"/sso", p.idp.ServeSSO)
	// A page of another site must not sign the browser in as someone (login CSRF).
	mux.Handle("POST "+p.basePath+"/login", http.NewCrossOriginProtection().Handler(http.HandlerFunc(p.handleLogin)))
	return mux
}

// handleIndex handles "GET {base}/".
func (p *IdP) handleIndex(w http.ResponseWriter, _ *http.Request) {
	p.mu.Lock()
	sps := make([]string, 0, len(p.sps))
	for id := range p.sps {
		sps = append(sps, id)
	}
	p.mu.Unlock()
	slices.Sort(sps)
	render(w, http.StatusOK, indexPage, struct {
		IdP              *IdP
		Users            []User
		ServiceProviders []string
		Request          string // none: the users table has no sign-in buttons
	}{p, p.userList(), sps, ""})
}

// handleMetadata handles "GET {base}/metadata".
func (p *IdP) handleMetadata(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "application/samlmetadata+xml")
	_, _ = w.Write(p.MetadataXML())
}

// loginKey is the context key of the outcome of a login form, a loginResult.
type loginKey struct{}

type loginResult struct {
	username string
	user     *User // nil unless the credentials were right
}

// handleLogin handles "POST {base}/login". The form carries the query string of the
// HTTP-Redirect AuthnRequest it answers; the request is served again as that GET, with
// the outcome of the login in its context, so that crewjam validates it (and its
// signature) again before the IdP answers it.
func (p *IdP) handleLogin(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, maxLoginForm)
	if err := r.ParseForm(); err != nil {
		p.refuse(w, r, http.StatusBadRequest, err)
		return
	}
	result := loginResult{username: r.PostForm.Get("username")}
	if u, ok := p.users[result.username]; ok && equal(u.Password, r.PostForm.Get("password")) {
		result.user = &u
	}
	sso := r.Clone(context.WithValue(r.Context(), loginKey{}, result))
	sso.Method = http.MethodGet
	sso.URL = &url.URL{Path: p.idp.SSOURL.Path, RawQuery: r.PostForm.Get("request")}
	sso.Body, sso.Form, sso.PostForm = http.NoBody, nil, nil
	p.idp.ServeSSO(w, sso)
}

// path returns the path of the IdP's route name, as the browser sees it.
func (p *IdP) path(name string) string {
	return p.basePath + "/" + name
}

func equal(a, b string) bool {
	return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1
}

// userList returns the users in the order of Config.Users.
func (p *IdP) userList() []User {
	users := make([]User, len(p.order))
	for i, login := range p.order {
		users[i] = p.users[login]
	}
	return users
}

// loginPage is the saml.SessionProvider: it returns the user the login form
// authenticated, or else shows the login page.
type loginPage struct{ p *IdP }

func (l loginPage) GetSession(w http.ResponseWriter, r *http.Request, req *saml.IdpAuthnRequest) *saml.Session {
	result, _ := r.Context().Value(loginKey{}).(loginResult)
	if result.user != nil {
		l.p.logger.Debug("devidp: signed in", "login", result.user.Login, "sp", req.ServiceProviderMetadata.EntityID)
		return newSession(*result.user, req.Now)
	}
	// SAML core 3.4.1: IsPassive forbids the IdP to take control of the user interface.
	if req.Request.IsPassive != nil && *req.Request.IsPassive {
		err := l.p.idp.SendErrorResponse(w, req, &saml.StatusError{
			TopLevel: saml.StatusResponder, SecondLevel: saml.StatusNoPassive,
			Message: "the development IdP keeps no sessions",
		})
		if err != nil {
			l.p.refuse(w, r, http.StatusInternalServerError, err)
		}
		return nil
	}
	status, message := http.StatusOK, ""
	if result.username != "" {
		status, message = http.StatusUnauthorized, "Wrong username or password."
	}
	render(w, status, loginFormPage, struct {
		SP, LoginURL, Request, Username, Error string
		Users                                  []User
	}{
		SP: req.ServiceProviderMetadata.EntityID, LoginURL: l.p.path("login"), Request: r.URL.RawQuery,
		Username: result.username, Error: message, Users: l.p.userList(),
	})
	return nil
}

// newSession returns the session of u, authenticated at now, and its attributes.
func newSession(u User, now time.Time) *saml.Session {
	index := make([]byte, 16)
	_, _ = rand.Read(index) // crypto/rand.Read never fails
	attrs := []saml.Attribute{attribute("login", u.Login), attribute("name", u.Name), attribute("email", u.Email)}
	if len(u.Groups) > 0 {
		attrs = append(attrs, attribute("groups", u.Groups...))
	}
	return &saml.Session{
		ID:               hex.EncodeToString(index),
		Index:            hex.EncodeToString(index),
		CreateTime:       now,
		ExpireTime:       now.Add(time.Hour),
		NameID:           u.Email,
		NameIDFormat:     string(saml.EmailAddressNameIDFormat),
		CustomAttributes: attrs,
	}
}

func attribute(name string, values ...string) saml.Attribute {
	a := saml.Attribute{Name: name, NameFormat: "urn:oasis:names:tc:SAML:2.0:attrname-format:basic"}
	for _, v := range values {
		a.Values = append(a.Values, saml.AttributeValue{Type: "xs:string", Value: v})
	}
	return a
}

// assertionMaker makes crewjam's default assertion, with exactly the session's
// attributes: the default adds eduPerson attributes and whatever the SP's metadata
// requests.
type assertionMaker struct{}

func (assertionMaker) MakeAssertion(req *saml.IdpAuthnRequest, session *saml.Session) error {
	if err := (saml.DefaultAssertionMaker{}).MakeAssertion(req, session); err != nil {
		return err
	}
	req.Assertion.AttributeStatements = []saml.AttributeStatement{{Attributes: session.CustomAttributes}}
	return nil
}

// refuse is crewjam's OnError: it shows what was wrong with the request.
func (p *IdP) refuse(w http.ResponseWriter, r *http.Request, status int, err error) {
	p.logger.Info("devidp: request refused", "path", r.URL.Path, "status", status, "err", err)
	message := "The development IdP could not answer this request."
	switch {
	case errors.Is(err, saml.ErrUnknownServiceProvider):
		message = "This service provider is not registered with the development IdP. It only answers sign-in requests of the Gatehouse it runs in."
	case status == http.StatusBadRequest:
		message = "This is not a valid SAML AuthnRequest. Start signing in from the application (the service provider): the development IdP does not sign users in on its own."
	}
	render(w, status, errorPage, struct{ Message, Detail, IndexURL string }{message, err.Error(), p.path("")})
}
