package web

import (
	"net/http"
	"time"

	"github.com/gatehouse-sso/gatehouse"
	"github.com/gatehouse-sso/gatehouse/admin"
)

type groupJSON struct {
	ID           int64                  `json:"id"`
	Organization string                 `json:"organization" desc:"Key of the group's organization."`
	Name         string                 `json:"name" desc:"Unique in the organization, case-sensitive; group sync matches it exactly."`
	Description  string                 `json:"description"`
	Permissions  []gatehouse.Permission `json:"permissions" desc:"Subset of admin, scan, provisioning, gateadmin, profileadmin."`
	ManagedBy    string                 `json:"managed_by" desc:"local, or scim when the identity provider manages its members."`
	Builtin      string                 `json:"builtin,omitempty" desc:"members or owners for the built-in groups."`
	CreatedAt    time.Time              `json:"created_at"`
}

func toGroupJSON(orgKey string) func(g *gatehouse.Group) groupJSON {
	return func(g *gatehouse.Group) groupJSON {
		perms := g.Permissions
		if perms == nil {
			perms = []gatehouse.Permission{}
		}
		return groupJSON{ID: g.ID, Organization: orgKey, Name: g.Name, Description: g.Description, Permissions: perms,
			ManagedBy: g.ManagedBy, Builtin: g.Builtin, CreatedAt: g.CreatedAt}
	}
}

type createGroupRequest struct {
	Name        string                 `json:"name" desc:"Unique in the organization, case-sensitive."`
	Description string                 `json:"description,omitempty"`
	Permissions []gatehouse.Permission `json:"permissions,omitempty" desc:"Subset of admin, scan, provisioning, gateadmin, profileadmin."`
}

type updateGroupRequest struct {
	Name        *string                 `json:"name,omitempty"`
	Description *string                 `json:"description,omitempty"`
	Permissions *[]gatehouse.Permission `json:"permissions,omitempty" desc:"Replaces the group's permissions."`
}

type groupMemberJSON struct {
	User   userJSON `json:"user"`
	Source string   `json:"source" desc:"sync (managed by the identity provider at login), scim, or manual."`
}

func toGroupMemberJSON(m *admin.GroupMember) groupMemberJSON {
	return groupMemberJSON{User: toUserJSON(m.User), Source: m.Membership.Source}
}

func (s *Server) groupRoutes() []route {
	return []route{
		{method: "GET", pattern: "/api/v1/organizations/{key}/groups", tag: "groups", summary: "List the organization's groups",
			response: []groupJSON{}, status: 200, handle: s.handleListGroups},
		{method: "POST", pattern: "/api/v1/organizations/{key}/groups", tag: "groups", summary: "Create a group",
			request: &createGroupRequest{}, response: groupJSON{}, status: 201, handle: s.handleCreateGroup},
		{method: "GET", pattern: "/api/v1/groups/{id}", tag: "groups", summary: "Get a group",
			response: groupJSON{}, status: 200, handle: s.handleGetGroup},
		{method: "PATCH", pattern: "/api/v1/groups/{id}", tag: "groups", summary: "Rename, describe or set the permissions of a group",
			request: &updateGroupRequest{}, response: groupJSON{}, status: 200, handle: s.handleUpdateGroup},
		{method: "DELETE", pattern: "/api/v1/groups/{id}", tag: "groups", summary: "Delete a group",
			status: 204, handle: s.handleDeleteGroup},
		{method: "GET", pattern: "/api/v1/groups/{id}/members", tag: "groups", summary: "List a group's members",
			response: []groupMemberJSON{}, status: 200, handle: s.handleListGroupMembers},
		{method: "POST", pattern: "/api/v1/groups/{id}/members", tag: "groups", summary: "Add a user to a group by hand",
			request: &loginRequest{}, status: 204, handle: s.handleAddGroupMember},
		{method: "DELETE", pattern: "/api/v1/groups/{id}/members/{login}", tag: "groups", summary: "Remove a user from a group",
			status: 204, handle: s.handleRemoveGroupMember},
	}
}

// handleListGroups handles "GET /api/v1/organizations/{key}/groups".
func (s *Server) handleListGroups(w http.ResponseWriter, r *http.Request, a gatehouse.Actor) error {
	gs, err := s.cfg.Admin.ListGroups(r.Context(), a, r.PathValue("key"))
	if err != nil {
		return err
	}
	writeList(w, gs, toGroupJSON(r.PathValue("key")))
	return nil
}

// handleCreateGroup handles "POST /api/v1/organizations/{key}/groups".
func (s *Server) handleCreateGroup(w http.ResponseWriter, r *http.Request, a gatehouse.Actor) error {
	var req createGroupRequest
	if err := decodeJSON(w, r, &req); err != nil {
		return err
	}
	g := &gatehouse.Group{Name: req.Name, Description: req.Description, Permissions: req.Permissions}
	if err := s.cfg.Admin.CreateGroup(r.Context(), a, r.PathValue("key"), g); err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, toGroupJSON(r.PathValue("key"))(g))
	return nil
}

// handleGetGroup handles "GET /api/v1/groups/{id}".
func (s *Server) handleGetGroup(w http.ResponseWriter, r *http.Request, a gatehouse.Actor) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	g, o, err := s.cfg.Admin.Group(r.Context(), a, id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, toGroupJSON(o.Key)(g))
	return nil
}

// handleUpdateGroup handles "PATCH /api/v1/groups/{id}".
func (s *Server) handleUpdateGroup(w http.ResponseWriter, r *http.Request, a gatehouse.Actor) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var req updateGroupRequest
	if err := decodeJSON(w, r, &req); err != nil {
		return err
	}
	if _, err := s.cfg.Admin.UpdateGroup(r.Context(), a, id, admin.GroupUpdate{Name: req.Name, Description: req.Description, Permissions: req.Permissions}); err != nil {
		return err
	}
	return s.handleGetGroup(w, r, a)
}

// handleDeleteGroup handles "DELETE /api/v1/groups/{id}".
func (s *Server) handleDeleteGroup(w http.ResponseWriter, r *http.Request, a gatehouse.Actor) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	return noContent(w, s.cfg.Admin.DeleteGroup(r.Context(), a, id))
}

// handleListGroupMembers handles "GET /api/v1/groups/{id}/members".
func (s *Server) handleListGroupMembers(w http.ResponseWriter, r *http.Request, a gatehouse.Actor) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	ms, err := s.cfg.Admin.GroupMembers(r.Context(), a, id)
	if err != nil {
		return err
	}
	writeList(w, ms, toGroupMemberJSON)
	return nil
}

// handleAddGroupMember handles "POST /api/v1/groups/{id}/members".
func (s *Server) handleAddGroupMember(w http.ResponseWriter, r *http.Request, a gatehouse.Actor) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var req loginRequest
	if err := decodeJSON(w, r, &req); err != nil {
		return err
	}
	return noContent(w, s.cfg.Admin.AddGroupMember(r.Context(), a, id, req.Login))
}

// handleRemoveGroupMember handles "DELETE /api/v1/groups/{id}/members/{login}".
func (s *Server) handleRemoveGroupMember(w http.ResponseWriter, r *http.Request, a gatehouse.Actor) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	return noContent(w, s.cfg.Admin.RemoveGroupMember(r.Context(), a, id, r.PathValue("login")))
}
