package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/gatehouse-sso/gatehouse"
	"github.com/gatehouse-sso/gatehouse/token"
)

// registerPersonalTokenRoutes adds the personal tokens of My Account › Security.
func (s *Server) registerPersonalTokenRoutes() {
	s.mux.Handle("POST /account/tokens", s.action(s.createPersonalToken, s.securityPage))
	s.mux.Handle("POST /account/tokens/{id}/revoke", s.action(s.revokePersonalToken, s.securityPage))
}

// registerOrganizationTokenRoutes adds an organization's scoped tokens.
func (s *Server) registerOrganizationTokenRoutes() {
	s.mux.Handle("GET /organizations/{key}/tokens", s.page(s.orgTokensPage))
	s.mux.Handle("POST /organizations/{key}/tokens", s.action(s.createOrgToken, s.orgTokensPage))
	s.mux.Handle("POST /organizations/{key}/tokens/{id}/revoke", s.action(s.revokeOrgToken, s.orgTokensPage))
}

// tokenExpiries are the choices of a new token's lifetime, in days; ""
// never expires and "date" takes the date field.
var tokenExpiries = []struct{ Value, Label string }{
	{"30", "In 30 days"}, {"90", "In 90 days"}, {"365", "In a year"}, {"date", "On a date…"}, {"", "Never"},
}

// expiryOf reads a token form's expiry: "expires" in days, or "date" and
// "expires_on" (YYYY-MM-DD, the token works until the end of that day,
// UTC); "" is never.
func expiryOf(f url.Values, now time.Time) (time.Time, error) {
	switch v := f.Get("expires"); v {
	case "":
		return time.Time{}, nil
	case "date":
		d, err := day(strings.TrimSpace(f.Get("expires_on")), "expires_at")
		if err != nil || d.IsZero() {
			return time.Time{}, gatehouse.Invalidf("expires_at", "Choose the date the token expires on, such as 2027-01-31.")
		}
		return d.Add(24 * time.Hour), nil
	default:
		days, err := strconv.Atoi(v)
		if err != nil || days <= 0 {
			return time.Time{}, gatehouse.Invalidf("expires_at", "Choose when the token expires.")
		}
		return now.Add(time.Duration(days) * 24 * time.Hour), nil
	}
}

// createPersonalToken handles "POST /account/tokens". The page shows the
// new token's secret at once, and never again.
func (s *Server) createPersonalToken(w http.ResponseWriter, r *http.Request, c *console) (outcome, error) {
	expires, err := expiryOf(r.PostForm, s.cfg.Now())
	if err != nil {
		return outcome{}, err
	}
	name := strings.TrimSpace(r.PostForm.Get("name"))
	created, err := s.cfg.Tokens.CreatePersonalToken(r.Context(), c.actor, name, expires)
	if err != nil {
		return outcome{}, err
	}
	c.shown = &shownSecret{Name: created.Token.Name, Secret: created.Secret}
	return outcome{Notice: "Token " + created.Token.Name + " was generated."}, nil
}

// revokePersonalToken handles "POST /account/tokens/{id}/revoke".
func (s *Server) revokePersonalToken(w http.ResponseWriter, r *http.Request, c *console) (outcome, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return outcome{}, err
	}
	if err := s.cfg.Tokens.RevokePersonalToken(r.Context(), c.actor, id); err != nil {
		return outcome{}, err
	}
	return outcome{Notice: "The token was revoked: it no longer works.", Redirect: "/account/security"}, nil
}

// orgTokensData is the data of an organization's Tokens page.
type orgTokensData struct {
	orgView
	Tokens   []*token.Summary
	Projects []*gatehouse.Project
	Expiries []struct{ Value, Label string }
}

// orgTokensPage renders "GET /organizations/{key}/tokens": the scoped
// organization tokens with their status, and a form for a new one.
func (s *Server) orgTokensPage(w http.ResponseWriter, r *http.Request, c *console) error {
	v, err := s.orgView(r, c, "Tokens")
	if err != nil {
		return err
	}
	tokens, err := s.cfg.Tokens.OrganizationTokens(r.Context(), c.actor, v.Organization.Key)
	if err != nil {
		return err
	}
	projects, err := s.cfg.Admin.ListProjects(r.Context(), c.actor, v.Organization.Key)
	if err != nil {
		return err
	}
	return s.render(w, r, c, "org_tokens", "Tokens · "+v.Organization.Name,
		orgTokensData{orgView: v, Tokens: tokens, Projects: projects, Expiries: tokenExpiries})
}

// createOrgToken handles "POST /organizations/{key}/tokens": a token with
// Execute Analysis on every project (scope=all) or on the projects ticked.
func (s *Server) createOrgToken(w http.ResponseWriter, r *http.Request, c *console) (outcome, error) {
	in := token.OrganizationTokenInput{Name: strings.TrimSpace(r.PostForm.Get("name"))}
	var err error
	if in.ExpiresAt, err = expiryOf(r.PostForm, s.cfg.Now()); err != nil {
		return outcome{}, err
	}
	if r.PostForm.Get("scope") == "projects" {
		if in.Projects = r.PostForm["projects"]; len(in.Projects) == 0 {
			return outcome{}, gatehouse.Invalidf("projects", "Tick the projects the token may analyse, or choose all projects.")
		}
	}
	created, err := s.cfg.Tokens.CreateOrganizationToken(r.Context(), c.actor, r.PathValue("key"), in)
	if err != nil {
		return outcome{}, err
	}
	c.shown = &shownSecret{Name: created.Token.Name, Secret: created.Secret}
	return outcome{Notice: "Token " + created.Token.Name + " was generated."}, nil
}

// revokeOrgToken handles "POST /organizations/{key}/tokens/{id}/revoke".
func (s *Server) revokeOrgToken(w http.ResponseWriter, r *http.Request, c *console) (outcome, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return outcome{}, err
	}
	if err := s.cfg.Tokens.RevokeOrganizationToken(r.Context(), c.actor, r.PathValue("key"), id); err != nil {
		return outcome{}, err
	}
	return outcome{Notice: "The token was revoked: it no longer works.", Redirect: orgPath(r, "/tokens")}, nil
}
