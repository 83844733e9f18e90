package web

import (
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/gatehouse-sso/gatehouse"
	"github.com/gatehouse-sso/gatehouse/login"
)

// maxACSBody caps the body posted to an ACS (SPEC §3.3: 256 KiB).
const maxACSBody = 256 << 10

// bindingLifetime outlives a pending request (10 minutes) comfortably.
const bindingLifetime = time.Hour

// registerLoginRoutes adds the login pages and the SAML endpoints.
func (s *Server) registerLoginRoutes() {
	s.mux.HandleFunc("GET /{$}", s.handleHome)
	s.mux.HandleFunc("GET /login", s.handleLoginPage)
	s.mux.HandleFunc("GET /login/sso", s.limited(s.handleStartSSO, s.limits.startClient, s.limits.startEnterprise,
		func(r *http.Request) string { return r.URL.Query().Get("enterprise_key") }))
	s.mux.HandleFunc("POST /login/local", s.limited(s.handleLocalLogin, s.limits.localClient, nil, nil))
	s.mux.HandleFunc("POST /logout", s.handleLogout)
	s.mux.HandleFunc("POST /saml/{key}/acs", s.limited(s.handleACS, s.limits.acsClient, s.limits.acsEnterprise,
		func(r *http.Request) string { return r.PathValue("key") }))
	s.mux.HandleFunc("GET /saml/{key}/metadata", s.handleSPMetadata)
	s.mux.Handle("GET /organizations", s.withNav(s.handleOrganizationsPage))
}

// handleHome handles "GET /": the user's organizations, or the login page.
func (s *Server) handleHome(w http.ResponseWriter, r *http.Request) {
	if _, _, err := s.sessionUser(r); err == nil {
		http.Redirect(w, r, login.DefaultReturnTo, http.StatusSeeOther)
		return
	}
	http.Redirect(w, r, "/login", http.StatusSeeOther)
}

// loginPage is the data of the login page.
type loginPage struct {
	CSRF          string
	EnterpriseKey string
	Login         string
	ReturnTo      string
	Error         string
}

// handleLoginPage handles "GET /login": log in with SSO (enterprise key)
// or with a local account.
func (s *Server) handleLoginPage(w http.ResponseWriter, r *http.Request) {
	s.renderLogin(w, r, http.StatusOK, loginPage{EnterpriseKey: r.URL.Query().Get("enterprise_key"),
		ReturnTo: login.LocalPath(r.URL.Query().Get("return_to"))})
}

func (s *Server) renderLogin(w http.ResponseWriter, r *http.Request, status int, p loginPage) {
	p.CSRF = s.loginCSRF(w, r)
	s.renderTitled(w, r, status, "login", "Log in", p)
}

// handleStartSSO handles "GET /login/sso?enterprise_key=K[&return_to=/path]":
// it records the AuthnRequest and redirects the browser to the IdP.
func (s *Server) handleStartSSO(w http.ResponseWriter, r *http.Request) {
	key := r.URL.Query().Get("enterprise_key")
	if key == "" {
		s.renderLogin(w, r, http.StatusBadRequest, loginPage{Error: "Enter your enterprise key to log in with SSO."})
		return
	}
	start, err := s.cfg.Login.StartSSO(r.Context(), key, r.URL.Query().Get("return_to"), cookieValue(r, bindingCookie), s.clientAddr(r))
	if err != nil {
		s.renderSSOError(w, r, key, err)
		return
	}
	s.setCookie(w, bindingCookie, start.BrowserSecret, bindingLifetime, s.bindingSameSite())
	http.Redirect(w, r, start.RedirectURL, http.StatusFound)
}

// handleACS handles "POST /saml/{key}/acs": the IdP's Response, posted
// by the browser (HTTP-POST binding).
func (s *Server) handleACS(w http.ResponseWriter, r *http.Request) {
	key := r.PathValue("key")
	r.Body = http.MaxBytesReader(w, r.Body, maxACSBody)
	if err := r.ParseForm(); err != nil {
		var big *http.MaxBytesError
		refusal := gatehouse.Refusef(gatehouse.RefusalMalformed, "the form does not parse")
		if errors.As(err, &big) {
			refusal = gatehouse.Refusef(gatehouse.RefusalTooLarge, "the body is larger than %d bytes", maxACSBody)
		}
		s.renderSSOError(w, r, key, s.cfg.Login.RefuseSSO(r.Context(), key, s.clientAddr(r), refusal))
		return
	}
	res, err := s.cfg.Login.FinishSSO(r.Context(), login.ACS{EnterpriseKey: key, SAMLResponse: r.PostForm.Get("SAMLResponse"),
		RelayState: r.PostForm.Get("RelayState"), BrowserSecret: cookieValue(r, bindingCookie), Client: s.clientAddr(r)})
	if err != nil {
		s.renderSSOError(w, r, key, err)
		return
	}
	if res.Test != nil {
		s.renderTestSSO(w, r, res.Test)
		return
	}
	s.startSession(w, res)
	http.Redirect(w, r, res.ReturnTo, http.StatusSeeOther)
}

// startSession sets the session cookie of a successful login.
func (s *Server) startSession(w http.ResponseWriter, res *login.Result) {
	s.setCookie(w, sessionCookie, res.SessionSecret, 0, http.SameSiteLaxMode)
}

// handleSPMetadata handles "GET /saml/{key}/metadata": the SP metadata of
// the enterprise, for its IdP.
func (s *Server) handleSPMetadata(w http.ResponseWriter, r *http.Request) {
	doc, err := s.cfg.Login.Metadata(r.Context(), r.PathValue("key"))
	if err != nil {
		s.renderSSOError(w, r, r.PathValue("key"), err)
		return
	}
	w.Header().Set("Content-Type", "application/samlmetadata+xml")
	w.Header().Set("Content-Disposition", `inline; filename="gatehouse-`+r.PathValue("key")+`-metadata.xml"`)
	_, _ = w.Write(doc)
}

// handleLocalLogin handles "POST /login/local": a local account's login
// and password.
func (s *Server) handleLocalLogin(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	if err := r.ParseForm(); err != nil {
		s.renderError(w, r, gatehouse.Errorf(gatehouse.EINVALID, "The form could not be read."))
		return
	}
	if err := checkLoginCSRF(r); err != nil {
		s.renderError(w, r, err)
		return
	}
	p := loginPage{Login: r.PostForm.Get("login"), ReturnTo: login.LocalPath(r.PostForm.Get("return_to"))}
	if !s.allow(w, r, s.limits.localAccount, strings.ToLower(p.Login)) {
		return
	}
	res, err := s.cfg.Login.LocalLogin(r.Context(), p.Login, r.PostForm.Get("password"), p.ReturnTo, s.clientAddr(r))
	if err != nil {
		if gatehouse.ErrorCode(err) == gatehouse.EINTERNAL {
			s.renderError(w, r, err)
			return
		}
		p.Error = gatehouse.ErrorMessage(err)
		s.renderLogin(w, r, errorStatus(err), p)
		return
	}
	s.startSession(w, res)
	http.Redirect(w, r, res.ReturnTo, http.StatusSeeOther)
}

// handleLogout handles "POST /logout": it ends the session.
func (s *Server) handleLogout(w http.ResponseWriter, r *http.Request) {
	sess, _, err := s.sessionUser(r)
	if err == nil {
		if err := s.checkCSRF(r, sess); err != nil {
			s.renderError(w, r, err)
			return
		}
		if err := s.cfg.Login.Logout(r.Context(), cookieValue(r, sessionCookie)); err != nil {
			s.renderError(w, r, err)
			return
		}
	}
	s.setCookie(w, sessionCookie, "", -1, http.SameSiteLaxMode)
	http.Redirect(w, r, "/login", http.StatusSeeOther)
}
