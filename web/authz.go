package web

import (
	"net/http"

	"github.com/gatehouse-sso/gatehouse"
)

type authzJSON struct {
	Allowed bool `json:"allowed" desc:"Whether the bearer may act with the permission in the organization (on the project, if named)."`
}

func (s *Server) authzRoutes() []route {
	return []route{
		{method: "GET", pattern: "/api/v1/authz/check", tag: "authz",
			summary: "Ask whether the bearer of a personal or organization token holds a permission",
			query: []queryParam{
				{"organization", "Key of the organization (required). One that does not exist answers false.", "string"},
				{"permission", "admin, scan, provisioning, gateadmin or profileadmin (required).", "string"},
				{"project", "Key of a project of the organization; one that does not exist, or is outside an organization token's scope, answers false.", "string"},
			},
			response: authzJSON{}, status: 200, handle: s.handleAuthzCheck, ownAuth: true},
	}
}

// errOperatorCheck refuses the access check to the operator token, which
// holds no permission of its own to ask about.
var errOperatorCheck = gatehouse.Errorf(gatehouse.EFORBIDDEN,
	"The access check answers for the bearer of a personal (gat_) or organization (gsot_) token: send the token of the caller you are asking about, not the operator token.")

// handleAuthzCheck handles "GET /api/v1/authz/check": the question another
// service asks before it lets the caller act (SPEC §6). It reads the
// bearer token itself, so that organization tokens may ask, and answers
// with one read of the database.
func (s *Server) handleAuthzCheck(w http.ResponseWriter, r *http.Request, _ gatehouse.Actor) error {
	tok, err := bearerToken(r)
	if err != nil {
		return err
	}
	if s.isOperatorToken(tok) {
		return errOperatorCheck
	}
	q := r.URL.Query()
	ok, err := s.cfg.Tokens.CheckToken(r.Context(), tok, s.clientAddr(r),
		q.Get("organization"), gatehouse.Permission(q.Get("permission")), q.Get("project"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, authzJSON{Allowed: ok})
	return nil
}
