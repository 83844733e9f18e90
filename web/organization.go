package web

import (
	"net/http"
	"time"

	"github.com/gatehouse-sso/gatehouse"
	"github.com/gatehouse-sso/gatehouse/admin"
)

type organizationJSON struct {
	Key        string    `json:"key" desc:"Unique slug: 2 to 64 lowercase letters, digits and dashes."`
	Name       string    `json:"name"`
	Enterprise string    `json:"enterprise,omitempty" desc:"Key of the enterprise the organization belongs to, if any."`
	CreatedAt  time.Time `json:"created_at"`
}

// toOrganizationJSON needs the enterprise key; ek maps enterprise IDs to keys.
func toOrganizationJSON(ek map[int64]string) func(o *gatehouse.Organization) organizationJSON {
	return func(o *gatehouse.Organization) organizationJSON {
		return organizationJSON{Key: o.Key, Name: o.Name, Enterprise: ek[o.EnterpriseID], CreatedAt: o.CreatedAt}
	}
}

type createOrganizationRequest struct {
	Key        string `json:"key" desc:"Unique slug: 2 to 64 lowercase letters, digits and dashes."`
	Name       string `json:"name"`
	Enterprise string `json:"enterprise,omitempty" desc:"Key of the enterprise to create it in."`
}

type createEnterpriseOrganizationRequest struct {
	Key  string `json:"key" desc:"Unique slug: 2 to 64 lowercase letters, digits and dashes."`
	Name string `json:"name"`
}

type updateOrganizationRequest struct {
	Name *string `json:"name,omitempty"`
}

type memberJSON struct {
	User   userJSON          `json:"user"`
	Groups []memberGroupJSON `json:"groups" desc:"The groups the user is in, with how they got there."`
}

type memberGroupJSON struct {
	GroupID int64  `json:"group_id"`
	Source  string `json:"source" desc:"sync (SAML group sync), scim, or manual."`
}

func toMemberJSON(m *admin.Member) memberJSON {
	out := memberJSON{User: toUserJSON(m.User), Groups: []memberGroupJSON{}}
	for _, ms := range m.Memberships {
		out.Groups = append(out.Groups, memberGroupJSON{GroupID: ms.GroupID, Source: ms.Source})
	}
	return out
}

type loginRequest struct {
	Login string `json:"login"`
}

func (s *Server) organizationRoutes() []route {
	return []route{
		{method: "GET", pattern: "/api/v1/organizations", tag: "organizations", summary: "List the organizations you administer",
			response: []organizationJSON{}, status: 200, handle: s.handleListOrganizations},
		{method: "POST", pattern: "/api/v1/organizations", tag: "organizations", summary: "Create an organization with its Members and Owners groups",
			request: &createOrganizationRequest{}, response: organizationJSON{}, status: 201, handle: s.handleCreateOrganization},
		{method: "GET", pattern: "/api/v1/enterprises/{key}/organizations", tag: "organizations", summary: "List the enterprise's organizations",
			response: []organizationJSON{}, status: 200, handle: s.handleListEnterpriseOrganizations},
		{method: "POST", pattern: "/api/v1/enterprises/{key}/organizations", tag: "organizations", summary: "Create an organization in the enterprise",
			request: &createEnterpriseOrganizationRequest{}, response: organizationJSON{}, status: 201, handle: s.handleCreateEnterpriseOrganization},
		{method: "GET", pattern: "/api/v1/organizations/{key}", tag: "organizations", summary: "Get an organization",
			response: organizationJSON{}, status: 200, handle: s.handleGetOrganization},
		{method: "PATCH", pattern: "/api/v1/organizations/{key}", tag: "organizations", summary: "Rename an organization",
			request: &updateOrganizationRequest{}, response: organizationJSON{}, status: 200, handle: s.handleUpdateOrganization},
		{method: "DELETE", pattern: "/api/v1/organizations/{key}", tag: "organizations", summary: "Delete an organization with its groups and projects",
			status: 204, handle: s.handleDeleteOrganization},
		{method: "GET", pattern: "/api/v1/organizations/{key}/members", tag: "organizations", summary: "List the organization's members and their groups",
			response: []memberJSON{}, status: 200, handle: s.handleListMembers},
		{method: "POST", pattern: "/api/v1/organizations/{key}/members", tag: "organizations", summary: "Add a local user to the organization",
			request: &loginRequest{}, status: 204, handle: s.handleAddMember},
		{method: "DELETE", pattern: "/api/v1/organizations/{key}/members/{login}", tag: "organizations", summary: "Remove a user from every group of the organization",
			status: 204, handle: s.handleRemoveMember},
	}
}

// enterpriseKeys maps the IDs of every enterprise a may see to its key.
func (s *Server) enterpriseKeys(r *http.Request, a gatehouse.Actor, orgs []*gatehouse.Organization) (map[int64]string, error) {
	keys := map[int64]string{}
	for _, o := range orgs {
		if o.EnterpriseID == 0 || keys[o.EnterpriseID] != "" {
			continue
		}
		e, err := s.cfg.Admin.EnterpriseOf(r.Context(), a, o)
		if err != nil {
			return nil, err
		}
		keys[e.ID] = e.Key
	}
	return keys, nil
}

// writeOrganizations writes orgs with their enterprise keys.
func (s *Server) writeOrganizations(w http.ResponseWriter, r *http.Request, a gatehouse.Actor, status int, orgs ...*gatehouse.Organization) error {
	keys, err := s.enterpriseKeys(r, a, orgs)
	if err != nil {
		return err
	}
	if status == 0 {
		writeList(w, orgs, toOrganizationJSON(keys))
		return nil
	}
	writeJSON(w, status, toOrganizationJSON(keys)(orgs[0]))
	return nil
}

// handleListOrganizations handles "GET /api/v1/organizations".
func (s *Server) handleListOrganizations(w http.ResponseWriter, r *http.Request, a gatehouse.Actor) error {
	orgs, err := s.cfg.Admin.ListOrganizations(r.Context(), a, "")
	if err != nil {
		return err
	}
	return s.writeOrganizations(w, r, a, 0, orgs...)
}

// handleListEnterpriseOrganizations handles "GET /api/v1/enterprises/{key}/organizations".
func (s *Server) handleListEnterpriseOrganizations(w http.ResponseWriter, r *http.Request, a gatehouse.Actor) error {
	orgs, err := s.cfg.Admin.ListOrganizations(r.Context(), a, r.PathValue("key"))
	if err != nil {
		return err
	}
	return s.writeOrganizations(w, r, a, 0, orgs...)
}

// handleCreateOrganization handles "POST /api/v1/organizations".
func (s *Server) handleCreateOrganization(w http.ResponseWriter, r *http.Request, a gatehouse.Actor) error {
	var req createOrganizationRequest
	if err := decodeJSON(w, r, &req); err != nil {
		return err
	}
	return s.createOrganization(w, r, a, req.Key, req.Name, req.Enterprise)
}

// handleCreateEnterpriseOrganization handles "POST /api/v1/enterprises/{key}/organizations".
func (s *Server) handleCreateEnterpriseOrganization(w http.ResponseWriter, r *http.Request, a gatehouse.Actor) error {
	var req createEnterpriseOrganizationRequest
	if err := decodeJSON(w, r, &req); err != nil {
		return err
	}
	return s.createOrganization(w, r, a, req.Key, req.Name, r.PathValue("key"))
}

func (s *Server) createOrganization(w http.ResponseWriter, r *http.Request, a gatehouse.Actor, key, name, enterprise string) error {
	o := &gatehouse.Organization{Key: key, Name: name}
	if err := s.cfg.Admin.CreateOrganization(r.Context(), a, o, enterprise); err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/organizations/"+o.Key)
	return s.writeOrganizations(w, r, a, http.StatusCreated, o)
}

// handleGetOrganization handles "GET /api/v1/organizations/{key}".
func (s *Server) handleGetOrganization(w http.ResponseWriter, r *http.Request, a gatehouse.Actor) error {
	o, err := s.cfg.Admin.Organization(r.Context(), a, r.PathValue("key"))
	if err != nil {
		return err
	}
	return s.writeOrganizations(w, r, a, http.StatusOK, o)
}

// handleUpdateOrganization handles "PATCH /api/v1/organizations/{key}".
func (s *Server) handleUpdateOrganization(w http.ResponseWriter, r *http.Request, a gatehouse.Actor) error {
	var req updateOrganizationRequest
	if err := decodeJSON(w, r, &req); err != nil {
		return err
	}
	o, err := s.cfg.Admin.UpdateOrganization(r.Context(), a, r.PathValue("key"), req.Name)
	if err != nil {
		return err
	}
	return s.writeOrganizations(w, r, a, http.StatusOK, o)
}

// handleDeleteOrganization handles "DELETE /api/v1/organizations/{key}".
func (s *Server) handleDeleteOrganization(w http.ResponseWriter, r *http.Request, a gatehouse.Actor) error {
	return noContent(w, s.cfg.Admin.DeleteOrganization(r.Context(), a, r.PathValue("key")))
}

// handleListMembers handles "GET /api/v1/organizations/{key}/members".
func (s *Server) handleListMembers(w http.ResponseWriter, r *http.Request, a gatehouse.Actor) error {
	ms, err := s.cfg.Admin.Members(r.Context(), a, r.PathValue("key"))
	if err != nil {
		return err
	}
	writeList(w, ms, toMemberJSON)
	return nil
}

// handleAddMember handles "POST /api/v1/organizations/{key}/members".
func (s *Server) handleAddMember(w http.ResponseWriter, r *http.Request, a gatehouse.Actor) error {
	var req loginRequest
	if err := decodeJSON(w, r, &req); err != nil {
		return err
	}
	return noContent(w, s.cfg.Admin.AddMember(r.Context(), a, r.PathValue("key"), req.Login))
}

// handleRemoveMember handles "DELETE /api/v1/organizations/{key}/members/{login}".
func (s *Server) handleRemoveMember(w http.ResponseWriter, r *http.Request, a gatehouse.Actor) error {
	return noContent(w, s.cfg.Admin.RemoveMember(r.Context(), a, r.PathValue("key"), r.PathValue("login")))
}
