package web

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/gatehouse-sso/gatehouse"
)

// permissionsData is the data of the permissions grid.
type permissionsData struct {
	orgView
	Groups      []*gatehouse.Group
	Permissions []gatehouse.Permission
}

// Cell returns the value of the grid's checkbox for group g and permission p.
func (permissionsData) Cell(g *gatehouse.Group, p gatehouse.Permission) string {
	return strconv.FormatInt(g.ID, 10) + ":" + string(p)
}

// permissionsPage renders "GET /organizations/{key}/permissions": groups
// by permissions, one checkbox each, saved at once.
func (s *Server) permissionsPage(w http.ResponseWriter, r *http.Request, c *console) error {
	v, err := s.orgView(r, c, "Permissions")
	if err != nil {
		return err
	}
	groups, err := s.cfg.Admin.ListGroups(r.Context(), c.actor, v.Organization.Key)
	if err != nil {
		return err
	}
	return s.render(w, r, c, "org_permissions", "Permissions · "+v.Organization.Name,
		permissionsData{orgView: v, Groups: groups, Permissions: gatehouse.Permissions})
}

// savePermissions handles "POST /organizations/{key}/permissions": every
// group listed in the form (field "group") gets exactly the permissions
// ticked for it (field "perm", "<group id>:<permission>"), in one
// transaction.
func (s *Server) savePermissions(w http.ResponseWriter, r *http.Request, c *console) (outcome, error) {
	grid := map[int64][]gatehouse.Permission{}
	for _, v := range r.PostForm["group"] {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return outcome{}, gatehouse.Invalidf("group", "The form names group %q, which is not a group ID. Reload the page.", v)
		}
		grid[id] = []gatehouse.Permission{}
	}
	for _, v := range r.PostForm["perm"] {
		ids, perm, _ := strings.Cut(v, ":")
		id, err := strconv.ParseInt(ids, 10, 64)
		if _, listed := grid[id]; err != nil || !listed {
			return outcome{}, gatehouse.Invalidf("perm", "The form ticks %q, which names no group of the form. Reload the page.", v)
		}
		grid[id] = append(grid[id], gatehouse.Permission(perm))
	}
	if err := s.cfg.Admin.SetPermissions(r.Context(), c.actor, r.PathValue("key"), grid); err != nil {
		return outcome{}, err
	}
	return outcome{Notice: "The permissions were saved.", Redirect: orgPath(r, "/permissions")}, nil
}
