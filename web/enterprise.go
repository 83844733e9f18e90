package web

import (
	"net/http"
	"time"

	"github.com/gatehouse-sso/gatehouse"
	"github.com/gatehouse-sso/gatehouse/admin"
)

type enterpriseJSON struct {
	Key         string    `json:"key" desc:"Unique, immutable slug: 2 to 64 lowercase letters, digits and dashes."`
	Name        string    `json:"name"`
	IPAllowList []string  `json:"ip_allow_list" desc:"CIDR ranges allowed to log in with SSO and to use tokens; empty allows all."`
	CreatedAt   time.Time `json:"created_at"`
}

func toEnterpriseJSON(e *gatehouse.Enterprise) enterpriseJSON {
	list := e.IPAllowList
	if list == nil {
		list = []string{}
	}
	return enterpriseJSON{Key: e.Key, Name: e.Name, IPAllowList: list, CreatedAt: e.CreatedAt}
}

type createEnterpriseRequest struct {
	Key         string   `json:"key" desc:"Unique, immutable slug: 2 to 64 lowercase letters, digits and dashes."`
	Name        string   `json:"name"`
	IPAllowList []string `json:"ip_allow_list,omitempty" desc:"CIDR ranges; empty allows all."`
}

type updateEnterpriseRequest struct {
	Name        *string   `json:"name,omitempty"`
	IPAllowList *[]string `json:"ip_allow_list,omitempty" desc:"Replaces the list; [] allows all."`
}

type adminRequest struct {
	Login string `json:"login" desc:"Login of a local user, or of an SSO user of this enterprise."`
}

func (s *Server) enterpriseRoutes() []route {
	return []route{
		{method: "GET", pattern: "/api/v1/enterprises", tag: "enterprises", summary: "List the enterprises you administer",
			response: []enterpriseJSON{}, status: 200, handle: s.handleListEnterprises},
		{method: "POST", pattern: "/api/v1/enterprises", tag: "enterprises", summary: "Create an enterprise (operator)",
			request: &createEnterpriseRequest{}, response: enterpriseJSON{}, status: 201, handle: s.handleCreateEnterprise},
		{method: "GET", pattern: "/api/v1/enterprises/{key}", tag: "enterprises", summary: "Get an enterprise",
			response: enterpriseJSON{}, status: 200, handle: s.handleGetEnterprise},
		{method: "PATCH", pattern: "/api/v1/enterprises/{key}", tag: "enterprises", summary: "Rename an enterprise or set its IP allow list",
			request: &updateEnterpriseRequest{}, response: enterpriseJSON{}, status: 200, handle: s.handleUpdateEnterprise},
		{method: "DELETE", pattern: "/api/v1/enterprises/{key}", tag: "enterprises", summary: "Delete an empty enterprise (operator)",
			status: 204, handle: s.handleDeleteEnterprise},
		{method: "GET", pattern: "/api/v1/enterprises/{key}/admins", tag: "enterprises", summary: "List the enterprise's administrators",
			response: []userJSON{}, status: 200, handle: s.handleListEnterpriseAdmins},
		{method: "POST", pattern: "/api/v1/enterprises/{key}/admins", tag: "enterprises", summary: "Make a user an enterprise administrator",
			request: &adminRequest{}, status: 204, handle: s.handleAddEnterpriseAdmin},
		{method: "DELETE", pattern: "/api/v1/enterprises/{key}/admins/{login}", tag: "enterprises", summary: "Remove an enterprise administrator",
			status: 204, handle: s.handleRemoveEnterpriseAdmin},
	}
}

// handleListEnterprises handles "GET /api/v1/enterprises".
func (s *Server) handleListEnterprises(w http.ResponseWriter, r *http.Request, a gatehouse.Actor) error {
	es, err := s.cfg.Admin.ListEnterprises(r.Context(), a)
	if err != nil {
		return err
	}
	writeList(w, es, toEnterpriseJSON)
	return nil
}

// handleCreateEnterprise handles "POST /api/v1/enterprises".
func (s *Server) handleCreateEnterprise(w http.ResponseWriter, r *http.Request, a gatehouse.Actor) error {
	var req createEnterpriseRequest
	if err := decodeJSON(w, r, &req); err != nil {
		return err
	}
	e := &gatehouse.Enterprise{Key: req.Key, Name: req.Name, IPAllowList: req.IPAllowList}
	if err := s.cfg.Admin.CreateEnterprise(r.Context(), a, e); err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/enterprises/"+e.Key)
	writeJSON(w, http.StatusCreated, toEnterpriseJSON(e))
	return nil
}

// handleGetEnterprise handles "GET /api/v1/enterprises/{key}".
func (s *Server) handleGetEnterprise(w http.ResponseWriter, r *http.Request, a gatehouse.Actor) error {
	e, err := s.cfg.Admin.Enterprise(r.Context(), a, r.PathValue("key"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, toEnterpriseJSON(e))
	return nil
}

// handleUpdateEnterprise handles "PATCH /api/v1/enterprises/{key}".
func (s *Server) handleUpdateEnterprise(w http.ResponseWriter, r *http.Request, a gatehouse.Actor) error {
	var req updateEnterpriseRequest
	if err := decodeJSON(w, r, &req); err != nil {
		return err
	}
	e, err := s.cfg.Admin.UpdateEnterprise(r.Context(), a, r.PathValue("key"), admin.EnterpriseUpdate{Name: req.Name, IPAllowList: req.IPAllowList})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, toEnterpriseJSON(e))
	return nil
}

// handleDeleteEnterprise handles "DELETE /api/v1/enterprises/{key}".
func (s *Server) handleDeleteEnterprise(w http.ResponseWriter, r *http.Request, a gatehouse.Actor) error {
	return noContent(w, s.cfg.Admin.DeleteEnterprise(r.Context(), a, r.PathValue("key")))
}

// handleListEnterpriseAdmins handles "GET /api/v1/enterprises/{key}/admins".
func (s *Server) handleListEnterpriseAdmins(w http.ResponseWriter, r *http.Request, a gatehouse.Actor) error {
	us, err := s.cfg.Admin.EnterpriseAdmins(r.Context(), a, r.PathValue("key"))
	if err != nil {
		return err
	}
	writeList(w, us, toUserJSON)
	return nil
}

// handleAddEnterpriseAdmin handles "POST /api/v1/enterprises/{key}/admins".
func (s *Server) handleAddEnterpriseAdmin(w http.ResponseWriter, r *http.Request, a gatehouse.Actor) error {
	var req adminRequest
	if err := decodeJSON(w, r, &req); err != nil {
		return err
	}
	return noContent(w, s.cfg.Admin.AddEnterpriseAdmin(r.Context(), a, r.PathValue("key"), req.Login))
}

// handleRemoveEnterpriseAdmin handles "DELETE /api/v1/enterprises/{key}/admins/{login}".
func (s *Server) handleRemoveEnterpriseAdmin(w http.ResponseWriter, r *http.Request, a gatehouse.Actor) error {
	return noContent(w, s.cfg.Admin.RemoveEnterpriseAdmin(r.Context(), a, r.PathValue("key"), r.PathValue("login")))
}
