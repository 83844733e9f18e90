package web

import (
	"net/http"
	"time"

	"github.com/gatehouse-sso/gatehouse"
	"github.com/gatehouse-sso/gatehouse/token"
)

type tokenJSON struct {
	ID           int64      `json:"id"`
	Kind         string     `json:"kind" desc:"personal (gat_, the user's permissions) or organization (gsot_, scan only)."`
	Name         string     `json:"name" desc:"Unique among the user's, or the organization's, tokens."`
	Status       string     `json:"status" desc:"active, about_to_expire (expires within 7 days) or expired."`
	Organization string     `json:"organization,omitempty" desc:"Key of an organization token's organization."`
	Permission   string     `json:"permission,omitempty" desc:"An organization token's permission: always scan."`
	Projects     []string   `json:"projects,omitempty" desc:"Keys of the projects an organization token may scan; absent means every project."`
	CreatedBy    string     `json:"created_by,omitempty" desc:"Login of the administrator who created an organization token."`
	CreatedAt    time.Time  `json:"created_at"`
	LastUsedAt   *time.Time `json:"last_used_at" desc:"Last use, to the minute; null if never used. Tokens unused for 60 days are removed, unless an organization token has an expiry."`
	ExpiresAt    *time.Time `json:"expires_at" desc:"When the token stops working; null if never."`
	Token        string     `json:"token,omitempty" desc:"The secret, only in the answer that creates the token: it is shown once and never stored."`
}

// toTokenJSON converts the summary of a token of the organization with
// key org ("" for personal tokens).
func toTokenJSON(org string) func(s *token.Summary) tokenJSON {
	return func(s *token.Summary) tokenJSON {
		k := s.Token
		out := tokenJSON{ID: k.ID, Kind: k.Kind, Name: k.Name, Status: s.Status, Projects: s.Projects,
			CreatedBy: s.CreatedBy, CreatedAt: k.CreatedAt, LastUsedAt: optionalTime(k.LastUsedAt), ExpiresAt: optionalTime(k.ExpiresAt)}
		if k.Kind == gatehouse.TokenOrganization {
			out.Organization, out.Permission = org, string(gatehouse.PermissionScan)
		}
		return out
	}
}

// toCreatedTokenJSON converts a new token, with its secret.
func toCreatedTokenJSON(org string, c *token.Created) tokenJSON {
	out := toTokenJSON(org)(&c.Summary)
	out.Token = c.Secret
	return out
}

// optionalTime returns nil for the zero time, so that it encodes as null.
func optionalTime(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

type createPersonalTokenRequest struct {
	Name      string `json:"name" desc:"Unique among your tokens, e.g. the machine or job that uses it."`
	ExpiresAt string `json:"expires_at,omitempty" desc:"RFC 3339 time, in the future, when the token stops working; omit for none."`
}

type createOrganizationTokenRequest struct {
	Name      string   `json:"name" desc:"Unique among the organization's tokens, e.g. the CI job that uses it."`
	Projects  []string `json:"projects,omitempty" desc:"Keys of existing projects the token may scan; omit for every project, present and future."`
	ExpiresAt string   `json:"expires_at,omitempty" desc:"RFC 3339 time, in the future, when the token stops working; omit for none."`
}

// parseExpiry parses the optional expires_at of a request.
func parseExpiry(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return time.Time{}, gatehouse.Invalidf("expires_at", "expires_at %q is not an RFC 3339 time such as 2027-01-31T00:00:00Z.", s)
	}
	return t, nil
}

func (s *Server) tokenRoutes() []route {
	return []route{
		{method: "GET", pattern: "/api/v1/me/tokens", tag: "tokens", summary: "List your personal access tokens, with their last use",
			response: []tokenJSON{}, status: 200, handle: s.handleListPersonalTokens},
		{method: "POST", pattern: "/api/v1/me/tokens", tag: "tokens", summary: "Create a personal access token (its secret is shown once)",
			request: &createPersonalTokenRequest{}, response: tokenJSON{}, status: 201, handle: s.handleCreatePersonalToken},
		{method: "DELETE", pattern: "/api/v1/me/tokens/{id}", tag: "tokens", summary: "Revoke one of your personal access tokens",
			status: 204, handle: s.handleRevokePersonalToken},
		{method: "GET", pattern: "/api/v1/organizations/{key}/tokens", tag: "tokens", summary: "List the organization's scoped tokens (organization admins)",
			response: []tokenJSON{}, status: 200, handle: s.handleListOrganizationTokens},
		{method: "POST", pattern: "/api/v1/organizations/{key}/tokens", tag: "tokens", summary: "Create a scoped organization token (organization admins; its secret is shown once)",
			request: &createOrganizationTokenRequest{}, response: tokenJSON{}, status: 201, handle: s.handleCreateOrganizationToken},
		{method: "DELETE", pattern: "/api/v1/organizations/{key}/tokens/{id}", tag: "tokens", summary: "Revoke a scoped organization token (organization admins)",
			status: 204, handle: s.handleRevokeOrganizationToken},
	}
}

// handleListPersonalTokens handles "GET /api/v1/me/tokens".
func (s *Server) handleListPersonalTokens(w http.ResponseWriter, r *http.Request, a gatehouse.Actor) error {
	list, err := s.cfg.Tokens.PersonalTokens(r.Context(), a)
	if err != nil {
		return err
	}
	writeList(w, list, toTokenJSON(""))
	return nil
}

// handleCreatePersonalToken handles "POST /api/v1/me/tokens".
func (s *Server) handleCreatePersonalToken(w http.ResponseWriter, r *http.Request, a gatehouse.Actor) error {
	var req createPersonalTokenRequest
	if err := decodeJSON(w, r, &req); err != nil {
		return err
	}
	expiresAt, err := parseExpiry(req.ExpiresAt)
	if err != nil {
		return err
	}
	c, err := s.cfg.Tokens.CreatePersonalToken(r.Context(), a, req.Name, expiresAt)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, toCreatedTokenJSON("", c))
	return nil
}

// handleRevokePersonalToken handles "DELETE /api/v1/me/tokens/{id}".
func (s *Server) handleRevokePersonalToken(w http.ResponseWriter, r *http.Request, a gatehouse.Actor) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	return noContent(w, s.cfg.Tokens.RevokePersonalToken(r.Context(), a, id))
}

// handleListOrganizationTokens handles "GET /api/v1/organizations/{key}/tokens".
func (s *Server) handleListOrganizationTokens(w http.ResponseWriter, r *http.Request, a gatehouse.Actor) error {
	list, err := s.cfg.Tokens.OrganizationTokens(r.Context(), a, r.PathValue("key"))
	if err != nil {
		return err
	}
	writeList(w, list, toTokenJSON(r.PathValue("key")))
	return nil
}

// handleCreateOrganizationToken handles "POST /api/v1/organizations/{key}/tokens".
func (s *Server) handleCreateOrganizationToken(w http.ResponseWriter, r *http.Request, a gatehouse.Actor) error {
	var req createOrganizationTokenRequest
	if err := decodeJSON(w, r, &req); err != nil {
		return err
	}
	expiresAt, err := parseExpiry(req.ExpiresAt)
	if err != nil {
		return err
	}
	c, err := s.cfg.Tokens.CreateOrganizationToken(r.Context(), a, r.PathValue("key"),
		token.OrganizationTokenInput{Name: req.Name, Projects: req.Projects, ExpiresAt: expiresAt})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, toCreatedTokenJSON(r.PathValue("key"), c))
	return nil
}

// handleRevokeOrganizationToken handles "DELETE /api/v1/organizations/{key}/tokens/{id}".
func (s *Server) handleRevokeOrganizationToken(w http.ResponseWriter, r *http.Request, a gatehouse.Actor) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	return noContent(w, s.cfg.Tokens.RevokeOrganizationToken(r.Context(), a, r.PathValue("key"), id))
}
