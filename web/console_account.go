package web

import (
	"net/http"

	"github.com/gatehouse-sso/gatehouse"
	"github.com/gatehouse-sso/gatehouse/admin"
	"github.com/gatehouse-sso/gatehouse/token"
)

// registerAccountRoutes adds My Account: the profile and Security.
func (s *Server) registerAccountRoutes() {
	s.mux.Handle("GET /account", s.page(s.accountPage))
	s.mux.Handle("POST /account/profile", s.action(s.updateProfile, s.accountPage))
	s.mux.Handle("GET /account/security", s.page(s.securityPage))
	s.mux.Handle("POST /account/password", s.action(s.changePassword, s.securityPage))
	s.mux.Handle("POST /account/delete", s.action(s.deleteAccount, s.securityPage))
	s.mux.HandleFunc("GET /account/deleted", s.handleAccountDeleted)
	s.registerPersonalTokenRoutes()
}

// accountData is the data of the profile page.
type accountData struct {
	consoleView
	User    *gatehouse.User
	Profile *admin.Profile
	// Enterprises are those the user administers, whose SSO users they manage.
	Enterprises []*gatehouse.Enterprise
}

// accountPage renders "GET /account": the user, and their groups and
// permissions in each organization.
func (s *Server) accountPage(w http.ResponseWriter, r *http.Request, c *console) error {
	p, err := s.cfg.Admin.Profile(r.Context(), c.user)
	if err != nil {
		return err
	}
	return s.render(w, r, c, "account", "My Account", accountData{consoleView: c.view(), User: c.user, Profile: p,
		Enterprises: navOf(r).Enterprises})
}

// updateProfile handles "POST /account/profile": a local user's name and email.
func (s *Server) updateProfile(w http.ResponseWriter, r *http.Request, c *console) (outcome, error) {
	name, email := r.PostForm.Get("name"), r.PostForm.Get("email")
	if _, err := s.cfg.Admin.UpdateUser(r.Context(), c.actor, c.user.Login, admin.UserUpdate{Name: &name, Email: &email}); err != nil {
		return outcome{}, err
	}
	return outcome{Notice: "Your profile was saved.", Redirect: "/account"}, nil
}

// securityData is the data of the Security page.
type securityData struct {
	consoleView
	User     *gatehouse.User
	Tokens   []*token.Summary
	Expiries []struct{ Value, Label string }
}

// securityPage renders "GET /account/security": personal tokens, the
// password of a local account, logout and account deletion.
func (s *Server) securityPage(w http.ResponseWriter, r *http.Request, c *console) error {
	tokens, err := s.cfg.Tokens.PersonalTokens(r.Context(), c.actor)
	if err != nil {
		return err
	}
	return s.render(w, r, c, "account_security", "Security · My Account",
		securityData{consoleView: c.view(), User: c.user, Tokens: tokens, Expiries: tokenExpiries})
}

// changePassword handles "POST /account/password". Every other session of
// the user ends; this browser gets a new one.
func (s *Server) changePassword(w http.ResponseWriter, r *http.Request, c *console) (outcome, error) {
	if r.PostForm.Get("new_password") != r.PostForm.Get("confirm_password") {
		return outcome{}, gatehouse.Invalidf("confirm_password", "The new password and its confirmation differ. Nothing was changed.")
	}
	res, err := s.cfg.Login.ChangePassword(r.Context(), c.user, r.PostForm.Get("current_password"), r.PostForm.Get("new_password"))
	if err != nil {
		return outcome{}, err
	}
	s.startSession(w, res)
	return outcome{Notice: "Your password was changed. Your other sessions have ended.", Redirect: res.ReturnTo}, nil
}

// deleteAccount handles "POST /account/delete": the user deletes their
// own account (SPEC §6), once they have ticked the confirmation.
func (s *Server) deleteAccount(w http.ResponseWriter, r *http.Request, c *console) (outcome, error) {
	if r.PostForm.Get("confirm") != "yes" {
		return outcome{}, gatehouse.Invalidf("confirm", "Tick the box to confirm that you want to delete your account.")
	}
	if err := s.cfg.Admin.DeleteUser(r.Context(), c.actor, c.user.Login); err != nil {
		return outcome{}, err
	}
	s.setCookie(w, sessionCookie, "", -1, http.SameSiteLaxMode)
	return outcome{Redirect: "/account/deleted"}, nil
}

// handleAccountDeleted handles "GET /account/deleted", where deleting
// one's account leads, signed out.
func (s *Server) handleAccountDeleted(w http.ResponseWriter, r *http.Request) {
	s.renderTitled(w, r, http.StatusOK, "account_deleted", "Account deleted", nil)
}
