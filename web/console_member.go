package web

import (
	"net/http"
	"strings"

	"github.com/gatehouse-sso/gatehouse/admin"
)

// membersData is the data of the organization's Members page.
type membersData struct {
	orgView
	Members []*admin.Member
	// GroupNames are the names of the organization's groups by ID.
	GroupNames map[int64]string
}

// membersPage renders "GET /organizations/{key}/members": every member
// with the groups they are in and how they got there.
func (s *Server) membersPage(w http.ResponseWriter, r *http.Request, c *console) error {
	v, err := s.orgView(r, c, "Members")
	if err != nil {
		return err
	}
	members, err := s.cfg.Admin.Members(r.Context(), c.actor, v.Organization.Key)
	if err != nil {
		return err
	}
	groups, err := s.cfg.Admin.ListGroups(r.Context(), c.actor, v.Organization.Key)
	if err != nil {
		return err
	}
	d := membersData{orgView: v, Members: members, GroupNames: map[int64]string{}}
	for _, g := range groups {
		d.GroupNames[g.ID] = g.Name
	}
	return s.render(w, r, c, "org_members", "Members · "+v.Organization.Name, d)
}

// addMember handles "POST /organizations/{key}/members": a local user joins.
func (s *Server) addMember(w http.ResponseWriter, r *http.Request, c *console) (outcome, error) {
	login := strings.TrimSpace(r.PostForm.Get("login"))
	if err := s.cfg.Admin.AddMember(r.Context(), c.actor, r.PathValue("key"), login); err != nil {
		return outcome{}, err
	}
	return outcome{Notice: login + " is now a member of the organization.", Redirect: orgPath(r, "/members")}, nil
}

// removeMember handles "POST /organizations/{key}/members/{login}/remove":
// the user leaves every group of the organization.
func (s *Server) removeMember(w http.ResponseWriter, r *http.Request, c *console) (outcome, error) {
	login := r.PathValue("login")
	if err := s.cfg.Admin.RemoveMember(r.Context(), c.actor, r.PathValue("key"), login); err != nil {
		return outcome{}, err
	}
	return outcome{Notice: login + " was removed from every group of the organization.", Redirect: orgPath(r, "/members")}, nil
}
