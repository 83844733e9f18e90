package web

import (
	"net/http"
	"strings"

	"github.com/gatehouse-sso/gatehouse"
)

// projectsData is the data of the Projects page.
type projectsData struct {
	orgView
	Projects []*gatehouse.Project
}

// projectsPage renders "GET /organizations/{key}/projects".
func (s *Server) projectsPage(w http.ResponseWriter, r *http.Request, c *console) error {
	v, err := s.orgView(r, c, "Projects")
	if err != nil {
		return err
	}
	ps, err := s.cfg.Admin.ListProjects(r.Context(), c.actor, v.Organization.Key)
	if err != nil {
		return err
	}
	return s.render(w, r, c, "org_projects", "Projects · "+v.Organization.Name, projectsData{orgView: v, Projects: ps})
}

// createProject handles "POST /organizations/{key}/projects".
func (s *Server) createProject(w http.ResponseWriter, r *http.Request, c *console) (outcome, error) {
	p := &gatehouse.Project{Key: strings.TrimSpace(r.PostForm.Get("key")), Name: strings.TrimSpace(r.PostForm.Get("name"))}
	if err := s.cfg.Admin.CreateProject(r.Context(), c.actor, r.PathValue("key"), p); err != nil {
		return outcome{}, err
	}
	return outcome{Notice: "Project " + p.Name + " was created.", Redirect: orgPath(r, "/projects")}, nil
}

// deleteProject handles "POST /organizations/{key}/projects/{project}/delete".
// Organization tokens scoped to it lose it from their scope.
func (s *Server) deleteProject(w http.ResponseWriter, r *http.Request, c *console) (outcome, error) {
	key := r.PathValue("project")
	if err := s.cfg.Admin.DeleteProject(r.Context(), c.actor, r.PathValue("key"), key); err != nil {
		return outcome{}, err
	}
	return outcome{Notice: "Project " + key + " was deleted.", Redirect: orgPath(r, "/projects")}, nil
}
