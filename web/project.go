package web

import (
	"net/http"
	"time"

	"github.com/gatehouse-sso/gatehouse"
)

type projectJSON struct {
	Key          string    `json:"key" desc:"Unique in the organization: letters, digits, '_', '.', ':' and '-'."`
	Name         string    `json:"name"`
	Organization string    `json:"organization"`
	CreatedAt    time.Time `json:"created_at"`
}

func toProjectJSON(orgKey string) func(p *gatehouse.Project) projectJSON {
	return func(p *gatehouse.Project) projectJSON {
		return projectJSON{Key: p.Key, Name: p.Name, Organization: orgKey, CreatedAt: p.CreatedAt}
	}
}

type createProjectRequest struct {
	Key  string `json:"key" desc:"Unique in the organization: letters, digits, '_', '.', ':' and '-'."`
	Name string `json:"name"`
}

type updateProjectRequest struct {
	Name *string `json:"name,omitempty"`
}

func (s *Server) projectRoutes() []route {
	return []route{
		{method: "GET", pattern: "/api/v1/organizations/{key}/projects", tag: "projects", summary: "List the organization's projects",
			response: []projectJSON{}, status: 200, handle: s.handleListProjects},
		{method: "POST", pattern: "/api/v1/organizations/{key}/projects", tag: "projects", summary: "Create a project",
			request: &createProjectRequest{}, response: projectJSON{}, status: 201, handle: s.handleCreateProject},
		{method: "GET", pattern: "/api/v1/organizations/{key}/projects/{project}", tag: "projects", summary: "Get a project",
			response: projectJSON{}, status: 200, handle: s.handleGetProject},
		{method: "PATCH", pattern: "/api/v1/organizations/{key}/projects/{project}", tag: "projects", summary: "Rename a project",
			request: &updateProjectRequest{}, response: projectJSON{}, status: 200, handle: s.handleUpdateProject},
		{method: "DELETE", pattern: "/api/v1/organizations/{key}/projects/{project}", tag: "projects", summary: "Delete a project",
			status: 204, handle: s.handleDeleteProject},
	}
}

// handleListProjects handles "GET /api/v1/organizations/{key}/projects".
func (s *Server) handleListProjects(w http.ResponseWriter, r *http.Request, a gatehouse.Actor) error {
	ps, err := s.cfg.Admin.ListProjects(r.Context(), a, r.PathValue("key"))
	if err != nil {
		return err
	}
	writeList(w, ps, toProjectJSON(r.PathValue("key")))
	return nil
}

// handleCreateProject handles "POST /api/v1/organizations/{key}/projects".
func (s *Server) handleCreateProject(w http.ResponseWriter, r *http.Request, a gatehouse.Actor) error {
	var req createProjectRequest
	if err := decodeJSON(w, r, &req); err != nil {
		return err
	}
	p := &gatehouse.Project{Key: req.Key, Name: req.Name}
	if err := s.cfg.Admin.CreateProject(r.Context(), a, r.PathValue("key"), p); err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, toProjectJSON(r.PathValue("key"))(p))
	return nil
}

// handleGetProject handles "GET /api/v1/organizations/{key}/projects/{project}".
func (s *Server) handleGetProject(w http.ResponseWriter, r *http.Request, a gatehouse.Actor) error {
	p, err := s.cfg.Admin.Project(r.Context(), a, r.PathValue("key"), r.PathValue("project"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, toProjectJSON(r.PathValue("key"))(p))
	return nil
}

// handleUpdateProject handles "PATCH /api/v1/organizations/{key}/projects/{project}".
func (s *Server) handleUpdateProject(w http.ResponseWriter, r *http.Request, a gatehouse.Actor) error {
	var req updateProjectRequest
	if err := decodeJSON(w, r, &req); err != nil {
		return err
	}
	p, err := s.cfg.Admin.UpdateProject(r.Context(), a, r.PathValue("key"), r.PathValue("project"), req.Name)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, toProjectJSON(r.PathValue("key"))(p))
	return nil
}

// handleDeleteProject handles "DELETE /api/v1/organizations/{key}/projects/{project}".
func (s *Server) handleDeleteProject(w http.ResponseWriter, r *http.Request, a gatehouse.Actor) error {
	return noContent(w, s.cfg.Admin.DeleteProject(r.Context(), a, r.PathValue("key"), r.PathValue("project")))
}
