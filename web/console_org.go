package web

import (
	"net/http"

	"github.com/gatehouse-sso/gatehouse"
)

// registerOrganizationRoutes adds the organization pages: groups and
// their members, the permissions grid, members, projects and tokens.
func (s *Server) registerOrganizationRoutes() {
	s.mux.HandleFunc("GET /organizations/{key}", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, orgPath(r, "/groups"), http.StatusSeeOther)
	})
	s.mux.Handle("GET /organizations/{key}/groups", s.page(s.groupsPage))
	s.mux.Handle("POST /organizations/{key}/groups", s.action(s.createGroup, s.groupsPage))
	s.mux.Handle("GET /organizations/{key}/groups/{id}", s.page(s.groupPage))
	s.mux.Handle("POST /organizations/{key}/groups/{id}", s.action(s.updateGroup, s.groupPage))
	s.mux.Handle("POST /organizations/{key}/groups/{id}/delete", s.action(s.deleteGroup, s.groupPage))
	s.mux.Handle("POST /organizations/{key}/groups/{id}/members", s.action(s.addGroupMember, s.groupPage))
	s.mux.Handle("POST /organizations/{key}/groups/{id}/members/{login}/remove", s.action(s.removeGroupMember, s.groupPage))
	s.mux.Handle("GET /organizations/{key}/permissions", s.page(s.permissionsPage))
	s.mux.Handle("POST /organizations/{key}/permissions", s.action(s.savePermissions, s.permissionsPage))
	s.mux.Handle("GET /organizations/{key}/members", s.page(s.membersPage))
	s.mux.Handle("POST /organizations/{key}/members", s.action(s.addMember, s.membersPage))
	s.mux.Handle("POST /organizations/{key}/members/{login}/remove", s.action(s.removeMember, s.membersPage))
	s.mux.Handle("GET /organizations/{key}/projects", s.page(s.projectsPage))
	s.mux.Handle("POST /organizations/{key}/projects", s.action(s.createProject, s.projectsPage))
	s.mux.Handle("POST /organizations/{key}/projects/{project}/delete", s.action(s.deleteProject, s.projectsPage))
	s.registerOrganizationTokenRoutes()
}

// orgPath returns the path of the organization page under r's key.
func orgPath(r *http.Request, sub string) string {
	return "/organizations/" + r.PathValue("key") + sub
}

// orgView is what every organization page's data embeds.
type orgView struct {
	consoleView
	Organization *gatehouse.Organization
	// Enterprise is the organization's enterprise when the user
	// administers it, for the breadcrumb; nil otherwise.
	Enterprise *gatehouse.Enterprise
	Section    string
}

// orgView reads the organization of r's path, which c's user must administer.
func (s *Server) orgView(r *http.Request, c *console, section string) (orgView, error) {
	o, err := s.cfg.Admin.Organization(r.Context(), c.actor, r.PathValue("key"))
	if err != nil {
		return orgView{}, err
	}
	v := orgView{consoleView: c.view(), Organization: o, Section: section}
	for _, e := range navOf(r).Enterprises {
		if e.ID == o.EnterpriseID {
			v.Enterprise = e
		}
	}
	return v, nil
}
