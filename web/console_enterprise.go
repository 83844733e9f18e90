package web

import (
	"net/http"
	"strings"

	"github.com/gatehouse-sso/gatehouse"
	"github.com/gatehouse-sso/gatehouse/admin"
)

// registerEnterpriseRoutes adds the enterprise pages: organizations,
// users, administrators and network, and the audit log.
func (s *Server) registerEnterpriseRoutes() {
	s.mux.Handle("GET /enterprises/{key}", s.page(s.enterprisePage))
	s.mux.Handle("POST /enterprises/{key}/organizations", s.action(s.createEnterpriseOrganization, s.enterprisePage))
	s.mux.Handle("POST /enterprises/{key}/organizations/{org}/delete", s.action(s.deleteEnterpriseOrganization, s.enterprisePage))
	s.mux.Handle("GET /enterprises/{key}/users", s.page(s.enterpriseUsersPage))
	s.mux.Handle("POST /enterprises/{key}/users/{login}/active", s.action(s.setUserActive, s.enterpriseUsersPage))
	s.mux.Handle("GET /enterprises/{key}/settings", s.page(s.enterpriseSettingsPage))
	s.mux.Handle("POST /enterprises/{key}/admins", s.action(s.addEnterpriseAdmin, s.enterpriseSettingsPage))
	s.mux.Handle("POST /enterprises/{key}/admins/{login}/remove", s.action(s.removeEnterpriseAdmin, s.enterpriseSettingsPage))
	s.mux.Handle("POST /enterprises/{key}/ip-allow-list", s.action(s.setIPAllowList, s.enterpriseSettingsPage))
	s.mux.Handle("GET /enterprises/{key}/audit", s.page(s.enterpriseAuditPage))
}

// enterpriseView is what every enterprise page's data embeds.
type enterpriseView struct {
	consoleView
	Enterprise *gatehouse.Enterprise
	// Section names the page in the heading and the breadcrumb.
	Section string
}

// enterpriseView reads the enterprise of r's path, which c's user must
// administer.
func (s *Server) enterpriseView(r *http.Request, c *console, section string) (enterpriseView, error) {
	e, err := s.cfg.Admin.Enterprise(r.Context(), c.actor, r.PathValue("key"))
	if err != nil {
		return enterpriseView{}, err
	}
	return enterpriseView{consoleView: c.view(), Enterprise: e, Section: section}, nil
}

// enterprisePath returns the path of the enterprise page under r's key.
func enterprisePath(r *http.Request, sub string) string {
	return "/enterprises/" + r.PathValue("key") + sub
}

// enterpriseData is the data of the enterprise's Organizations page.
type enterpriseData struct {
	enterpriseView
	Organizations []*gatehouse.Organization
	Max           int
}

// enterprisePage renders "GET /enterprises/{key}": the organizations.
func (s *Server) enterprisePage(w http.ResponseWriter, r *http.Request, c *console) error {
	v, err := s.enterpriseView(r, c, "Organizations")
	if err != nil {
		return err
	}
	orgs, err := s.cfg.Admin.ListOrganizations(r.Context(), c.actor, v.Enterprise.Key)
	if err != nil {
		return err
	}
	return s.render(w, r, c, "enterprise", v.Enterprise.Name, enterpriseData{enterpriseView: v, Organizations: orgs,
		Max: gatehouse.MaxOrganizationsPerEnterprise})
}

// createEnterpriseOrganization handles "POST /enterprises/{key}/organizations".
func (s *Server) createEnterpriseOrganization(w http.ResponseWriter, r *http.Request, c *console) (outcome, error) {
	o := &gatehouse.Organization{Key: strings.TrimSpace(r.PostForm.Get("key")), Name: strings.TrimSpace(r.PostForm.Get("name"))}
	if err := s.cfg.Admin.CreateOrganization(r.Context(), c.actor, o, r.PathValue("key")); err != nil {
		return outcome{}, err
	}
	return outcome{Notice: "Organization " + o.Name + " was created, with its Members and Owners groups. Create the groups your identity provider sends next.",
		Redirect: "/organizations/" + o.Key + "/groups"}, nil
}

// deleteEnterpriseOrganization handles "POST /enterprises/{key}/organizations/{org}/delete".
func (s *Server) deleteEnterpriseOrganization(w http.ResponseWriter, r *http.Request, c *console) (outcome, error) {
	if err := s.cfg.Admin.DeleteOrganization(r.Context(), c.actor, r.PathValue("org")); err != nil {
		return outcome{}, err
	}
	return outcome{Notice: "Organization " + r.PathValue("org") + " was deleted, with its groups, projects and tokens.", Redirect: enterprisePath(r, "")}, nil
}

// enterpriseUsersData is the data of the enterprise's Users page.
type enterpriseUsersData struct {
	enterpriseView
	Users []*gatehouse.User
}

// enterpriseUsersPage renders "GET /enterprises/{key}/users": the SSO
// users, their last login, and (de)activation.
func (s *Server) enterpriseUsersPage(w http.ResponseWriter, r *http.Request, c *console) error {
	v, err := s.enterpriseView(r, c, "Users")
	if err != nil {
		return err
	}
	users, err := s.cfg.Admin.ListUsers(r.Context(), c.actor, admin.UserQuery{Enterprise: v.Enterprise.Key})
	if err != nil {
		return err
	}
	return s.render(w, r, c, "enterprise_users", "Users · "+v.Enterprise.Name, enterpriseUsersData{enterpriseView: v, Users: users})
}

// setUserActive handles "POST /enterprises/{key}/users/{login}/active":
// active=false deactivates an SSO user (sessions and tokens end at once),
// active=true reactivates them.
func (s *Server) setUserActive(w http.ResponseWriter, r *http.Request, c *console) (outcome, error) {
	active := r.PostForm.Get("active") == "true"
	login := r.PathValue("login")
	if _, err := s.cfg.Admin.UpdateUser(r.Context(), c.actor, login, admin.UserUpdate{Active: &active}); err != nil {
		return outcome{}, err
	}
	notice := "User " + login + " was reactivated: they can log in with SSO again."
	if !active {
		notice = "User " + login + " was deactivated: their sessions and tokens have ended, and SSO logins are refused until you reactivate them."
	}
	return outcome{Notice: notice, Redirect: enterprisePath(r, "/users")}, nil
}

// enterpriseSettingsData is the data of the Administrators & network page.
type enterpriseSettingsData struct {
	enterpriseView
	Admins []*gatehouse.User
	// AllowList is the saved IP allow list as the form shows it, one
	// range a line.
	AllowList string
	// Client is the address this page was asked from, which the IP allow
	// list must keep to allow its viewer's SSO logins.
	Client string
}

// enterpriseSettingsPage renders "GET /enterprises/{key}/settings": the
// enterprise administrators and the IP allow list.
func (s *Server) enterpriseSettingsPage(w http.ResponseWriter, r *http.Request, c *console) error {
	v, err := s.enterpriseView(r, c, "Administrators & network")
	if err != nil {
		return err
	}
	admins, err := s.cfg.Admin.EnterpriseAdmins(r.Context(), c.actor, v.Enterprise.Key)
	if err != nil {
		return err
	}
	return s.render(w, r, c, "enterprise_settings", "Administrators & network · "+v.Enterprise.Name,
		enterpriseSettingsData{enterpriseView: v, Admins: admins, AllowList: strings.Join(v.Enterprise.IPAllowList, "\n"), Client: s.clientAddr(r).String()})
}

// addEnterpriseAdmin handles "POST /enterprises/{key}/admins".
func (s *Server) addEnterpriseAdmin(w http.ResponseWriter, r *http.Request, c *console) (outcome, error) {
	login := strings.TrimSpace(r.PostForm.Get("login"))
	if err := s.cfg.Admin.AddEnterpriseAdmin(r.Context(), c.actor, r.PathValue("key"), login); err != nil {
		return outcome{}, err
	}
	return outcome{Notice: login + " is now an administrator of the enterprise.", Redirect: enterprisePath(r, "/settings")}, nil
}

// removeEnterpriseAdmin handles "POST /enterprises/{key}/admins/{login}/remove".
func (s *Server) removeEnterpriseAdmin(w http.ResponseWriter, r *http.Request, c *console) (outcome, error) {
	login := r.PathValue("login")
	if err := s.cfg.Admin.RemoveEnterpriseAdmin(r.Context(), c.actor, r.PathValue("key"), login); err != nil {
		return outcome{}, err
	}
	next := enterprisePath(r, "/settings")
	if login == c.user.Login {
		next = "/account"
	}
	return outcome{Notice: login + " no longer administers the enterprise.", Redirect: next}, nil
}

// setIPAllowList handles "POST /enterprises/{key}/ip-allow-list": one
// CIDR range or address per line, or commas.
func (s *Server) setIPAllowList(w http.ResponseWriter, r *http.Request, c *console) (outcome, error) {
	list := strings.FieldsFunc(r.PostForm.Get("ip_allow_list"), func(r rune) bool { return r == ',' || r == '\n' || r == '\r' || r == ' ' || r == '\t' })
	e, err := s.cfg.Admin.UpdateEnterprise(r.Context(), c.actor, r.PathValue("key"), admin.EnterpriseUpdate{IPAllowList: &list})
	if err != nil {
		return outcome{}, err
	}
	notice := "The IP allow list was cleared: SSO logins and tokens are allowed from any address."
	if len(e.IPAllowList) > 0 {
		notice = "The IP allow list was saved: SSO logins and tokens of the enterprise are allowed only from " + strings.Join(e.IPAllowList, ", ") + "."
	}
	return outcome{Notice: notice, Redirect: enterprisePath(r, "/settings")}, nil
}
