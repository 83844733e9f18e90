package web

import (
	"net/http"
	"strings"

	"github.com/gatehouse-sso/gatehouse"
	"github.com/gatehouse-sso/gatehouse/admin"
)

// groupRow is a group with its member count.
type groupRow struct {
	Group   *gatehouse.Group
	Members int
}

// groupsData is the data of the Groups page.
type groupsData struct {
	orgView
	Groups      []groupRow
	Permissions []gatehouse.Permission
}

// groupsPage renders "GET /organizations/{key}/groups".
func (s *Server) groupsPage(w http.ResponseWriter, r *http.Request, c *console) error {
	v, err := s.orgView(r, c, "Groups")
	if err != nil {
		return err
	}
	groups, err := s.cfg.Admin.ListGroups(r.Context(), c.actor, v.Organization.Key)
	if err != nil {
		return err
	}
	members, err := s.cfg.Admin.Members(r.Context(), c.actor, v.Organization.Key)
	if err != nil {
		return err
	}
	counts := map[int64]int{}
	for _, m := range members {
		for _, ms := range m.Memberships {
			counts[ms.GroupID]++
		}
	}
	d := groupsData{orgView: v, Permissions: gatehouse.Permissions}
	for _, g := range groups {
		n := counts[g.ID]
		if g.IsMembers() {
			n = len(members)
		}
		d.Groups = append(d.Groups, groupRow{Group: g, Members: n})
	}
	return s.render(w, r, c, "org_groups", "Groups · "+v.Organization.Name, d)
}

// createGroup handles "POST /organizations/{key}/groups".
func (s *Server) createGroup(w http.ResponseWriter, r *http.Request, c *console) (outcome, error) {
	g := &gatehouse.Group{Name: strings.TrimSpace(r.PostForm.Get("name")), Description: strings.TrimSpace(r.PostForm.Get("description"))}
	for _, p := range r.PostForm["permissions"] {
		g.Permissions = append(g.Permissions, gatehouse.Permission(p))
	}
	if err := s.cfg.Admin.CreateGroup(r.Context(), c.actor, r.PathValue("key"), g); err != nil {
		return outcome{}, err
	}
	return outcome{Notice: "Group " + g.Name + " was created. SSO users whose identity provider sends exactly \"" + g.Name + "\" join it at their next login.",
		Redirect: orgPath(r, "/groups")}, nil
}

// groupData is the data of a group's page.
type groupData struct {
	orgView
	Group   *gatehouse.Group
	Members []*admin.GroupMember
	// Candidates are the logins of the organization's members, offered
	// when adding one.
	Candidates []string
}

// groupOf returns the group of r's path, which must belong to the
// organization of the path.
func (s *Server) groupOf(r *http.Request, c *console) (*gatehouse.Group, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return nil, err
	}
	g, o, err := s.cfg.Admin.Group(r.Context(), c.actor, id)
	if err != nil {
		return nil, err
	}
	if o.Key != r.PathValue("key") {
		return nil, gatehouse.Errorf(gatehouse.ENOTFOUND, "Organization %q has no group %d.", r.PathValue("key"), id)
	}
	return g, nil
}

// groupPage renders "GET /organizations/{key}/groups/{id}": the group, its
// members with their source, and its changes.
func (s *Server) groupPage(w http.ResponseWriter, r *http.Request, c *console) error {
	v, err := s.orgView(r, c, "Group")
	if err != nil {
		return err
	}
	g, err := s.groupOf(r, c)
	if err != nil {
		return err
	}
	members, err := s.cfg.Admin.GroupMembers(r.Context(), c.actor, g.ID)
	if err != nil {
		return err
	}
	all, err := s.cfg.Admin.Members(r.Context(), c.actor, v.Organization.Key)
	if err != nil {
		return err
	}
	d := groupData{orgView: v, Group: g, Members: members}
	d.Section = "Group " + g.Name
	for _, m := range all {
		d.Candidates = append(d.Candidates, m.User.Login)
	}
	return s.render(w, r, c, "org_group", g.Name+" · "+v.Organization.Name, d)
}

// groupPath returns the path of r's group page.
func groupPath(r *http.Request) string {
	return orgPath(r, "/groups/"+r.PathValue("id"))
}

// updateGroup handles "POST /organizations/{key}/groups/{id}": rename and describe.
func (s *Server) updateGroup(w http.ResponseWriter, r *http.Request, c *console) (outcome, error) {
	g, err := s.groupOf(r, c)
	if err != nil {
		return outcome{}, err
	}
	name, desc := strings.TrimSpace(r.PostForm.Get("name")), strings.TrimSpace(r.PostForm.Get("description"))
	if _, err := s.cfg.Admin.UpdateGroup(r.Context(), c.actor, g.ID, admin.GroupUpdate{Name: &name, Description: &desc}); err != nil {
		return outcome{}, err
	}
	notice := "Group " + name + " was saved."
	if name != g.Name {
		notice = "Group " + g.Name + " is now called " + name + ". SSO users join it when their identity provider sends exactly \"" + name + "\"."
	}
	return outcome{Notice: notice, Redirect: groupPath(r)}, nil
}

// deleteGroup handles "POST /organizations/{key}/groups/{id}/delete".
func (s *Server) deleteGroup(w http.ResponseWriter, r *http.Request, c *console) (outcome, error) {
	g, err := s.groupOf(r, c)
	if err != nil {
		return outcome{}, err
	}
	if err := s.cfg.Admin.DeleteGroup(r.Context(), c.actor, g.ID); err != nil {
		return outcome{}, err
	}
	return outcome{Notice: "Group " + g.Name + " was deleted.", Redirect: orgPath(r, "/groups")}, nil
}

// addGroupMember handles "POST /organizations/{key}/groups/{id}/members".
// Adding an SSO user by hand lasts until their next login, which resets
// their groups to the identity provider's (SPEC §3.7): the notice says so.
func (s *Server) addGroupMember(w http.ResponseWriter, r *http.Request, c *console) (outcome, error) {
	g, err := s.groupOf(r, c)
	if err != nil {
		return outcome{}, err
	}
	login := strings.TrimSpace(r.PostForm.Get("login"))
	if err := s.cfg.Admin.AddGroupMember(r.Context(), c.actor, g.ID, login); err != nil {
		return outcome{}, err
	}
	out := outcome{Notice: login + " was added to " + g.Name + ".", Redirect: groupPath(r)}
	members, err := s.cfg.Admin.GroupMembers(r.Context(), c.actor, g.ID)
	if err != nil {
		return outcome{}, err
	}
	for _, m := range members {
		if m.User.Login == login && m.User.Kind == gatehouse.UserSSO {
			out.Warn = true
			out.Notice += " Beware: " + login + " signs in with SSO, so their next login removes them from " + g.Name +
				" unless their identity provider sends that group. Add them to the group in the identity provider instead."
		}
	}
	return out, nil
}

// removeGroupMember handles "POST /organizations/{key}/groups/{id}/members/{login}/remove".
func (s *Server) removeGroupMember(w http.ResponseWriter, r *http.Request, c *console) (outcome, error) {
	g, err := s.groupOf(r, c)
	if err != nil {
		return outcome{}, err
	}
	login := r.PathValue("login")
	if err := s.cfg.Admin.RemoveGroupMember(r.Context(), c.actor, g.ID, login); err != nil {
		return outcome{}, err
	}
	return outcome{Notice: login + " was removed from " + g.Name + ".", Redirect: groupPath(r)}, nil
}
