package web

import (
	"net/http"

	"github.com/gatehouse-sso/gatehouse"
	"github.com/gatehouse-sso/gatehouse/admin"
)

type meJSON struct {
	User          userJSON             `json:"user"`
	Enterprise    string               `json:"enterprise,omitempty" desc:"Key of an SSO user's enterprise."`
	Organizations []meOrganizationJSON `json:"organizations"`
}

type meOrganizationJSON struct {
	Key         string                 `json:"key"`
	Name        string                 `json:"name"`
	Groups      []meGroupJSON          `json:"groups" desc:"The groups you are in, Members included."`
	Permissions []gatehouse.Permission `json:"permissions" desc:"Your effective permissions in the organization."`
}

type meGroupJSON struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
}

func toMeJSON(p *admin.Profile) meJSON {
	out := meJSON{User: toUserJSON(p.User), Organizations: []meOrganizationJSON{}}
	if p.Enterprise != nil {
		out.Enterprise = p.Enterprise.Key
	}
	for _, o := range p.Organizations {
		mo := meOrganizationJSON{Key: o.Organization.Key, Name: o.Organization.Name, Groups: []meGroupJSON{}, Permissions: o.Permissions}
		if mo.Permissions == nil {
			mo.Permissions = []gatehouse.Permission{}
		}
		for _, g := range o.Groups {
			mo.Groups = append(mo.Groups, meGroupJSON{ID: g.ID, Name: g.Name})
		}
		out.Organizations = append(out.Organizations, mo)
	}
	return out
}

func (s *Server) meRoutes() []route {
	return []route{
		{method: "GET", pattern: "/api/v1/me", tag: "me", summary: "You: your organizations, groups and effective permissions",
			response: meJSON{}, status: 200, handle: s.handleMe},
		{method: "DELETE", pattern: "/api/v1/me", tag: "me", summary: "Delete your account: sessions end, tokens are revoked, memberships removed (refused while you are the last admin of an organization)",
			status: 204, handle: s.handleDeleteMe},
	}
}

// handleDeleteMe handles "DELETE /api/v1/me" (SPEC §6).
func (s *Server) handleDeleteMe(w http.ResponseWriter, r *http.Request, a gatehouse.Actor) error {
	if a.Kind != gatehouse.ActorUser {
		return errNoUser
	}
	return noContent(w, s.cfg.Admin.DeleteUser(r.Context(), a, a.User.Login))
}

// errNoUser refuses /me to the operator token, which belongs to no user.
var errNoUser = gatehouse.Errorf(gatehouse.EINVALID, "The operator token belongs to no user: use a user's token or session.")

// handleMe handles "GET /api/v1/me".
func (s *Server) handleMe(w http.ResponseWriter, r *http.Request, a gatehouse.Actor) error {
	if a.Kind != gatehouse.ActorUser {
		return errNoUser
	}
	p, err := s.cfg.Admin.Profile(r.Context(), a.User)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, toMeJSON(p))
	return nil
}

// organizationsPage is the data of the /organizations page.
type organizationsPage struct {
	Profile *admin.Profile
	// IdPGroups are the groups the IdP sent at this session's login.
	IdPGroups []string
}

// handleOrganizationsPage handles "GET /organizations": the signed-in
// user's organizations or, when there are none, the groups the IdP sent
// and the explanation that none matched (SPEC §3.8).
func (s *Server) handleOrganizationsPage(w http.ResponseWriter, r *http.Request) {
	sess, u, ok := s.requireSession(w, r)
	if !ok {
		return
	}
	p, err := s.cfg.Admin.Profile(r.Context(), u)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	s.renderTitled(w, r, http.StatusOK, "organizations", "Your organizations", organizationsPage{Profile: p, IdPGroups: sess.IdPGroups})
}
