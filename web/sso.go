package web

import (
	"net/http"
	"strconv"
	"time"

	"github.com/gatehouse-sso/gatehouse"
	"github.com/gatehouse-sso/gatehouse/admin"
)

type ssoJSON struct {
	IdPEntityID             string         `json:"idp_entity_id"`
	SSOURL                  string         `json:"sso_url" desc:"The IdP's HTTP-Redirect single sign-on URL."`
	Certificates            []string       `json:"certificates" desc:"The IdP's signing certificates, PEM."`
	MetadataURL             string         `json:"metadata_url,omitempty" desc:"Where the IdP metadata is fetched from, daily."`
	MetadataFetchedAt       *time.Time     `json:"metadata_fetched_at,omitempty"`
	Attributes              attributesJSON `json:"attributes"`
	SignRequests            bool           `json:"sign_requests"`
	WantEncryptedAssertions bool           `json:"want_encrypted_assertions"`
	AllowSHA1               bool           `json:"allow_sha1"`
	ClockSkewSeconds        int            `json:"clock_skew_seconds"`
	SP                      spJSON         `json:"sp" desc:"What to enter in the IdP, and the URL to send users."`
	Warnings                []warningJSON  `json:"warnings"`
	UpdatedAt               time.Time      `json:"updated_at"`
}

type attributesJSON struct {
	Login  string `json:"login"`
	Name   string `json:"name"`
	Email  string `json:"email"`
	Groups string `json:"groups"`
}

type spJSON struct {
	EntityID    string `json:"entity_id"`
	ACSURL      string `json:"acs_url"`
	MetadataURL string `json:"metadata_url"`
	LoginURL    string `json:"login_url" desc:"The SSO login URL to paste into invitations."`
	Certificate string `json:"certificate" desc:"The SP certificate (PEM) that signs requests and receives encrypted assertions."`
}

type warningJSON struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

func toWarningJSON(w admin.Warning) warningJSON { return warningJSON{Code: w.Code, Message: w.Message} }

func toSSOJSON(v *admin.SSOView) ssoJSON {
	c := v.Connection
	out := ssoJSON{IdPEntityID: c.IdPEntityID, SSOURL: c.SSOURL, Certificates: c.Certificates, MetadataURL: c.MetadataURL,
		Attributes:   attributesJSON{Login: c.Attributes.Login, Name: c.Attributes.Name, Email: c.Attributes.Email, Groups: c.Attributes.Groups},
		SignRequests: c.SignRequests, WantEncryptedAssertions: c.WantEncryptedAssertions, AllowSHA1: c.AllowSHA1,
		ClockSkewSeconds: int(c.ClockSkew / time.Second), UpdatedAt: c.UpdatedAt, Warnings: []warningJSON{}, MetadataFetchedAt: optionalTime(c.MetadataFetchedAt),
		SP: spJSON{EntityID: v.EntityID, ACSURL: v.ACSURL, MetadataURL: v.MetadataURL, LoginURL: v.LoginURL, Certificate: c.SPCertificate}}
	for _, w := range v.Warnings {
		out.Warnings = append(out.Warnings, toWarningJSON(w))
	}
	return out
}

type putSSORequest struct {
	MetadataURL             string             `json:"metadata_url,omitempty" desc:"Set up from metadata at this URL (fetched now and daily)."`
	MetadataXML             string             `json:"metadata_xml,omitempty" desc:"Set up from this metadata document."`
	IdPEntityID             string             `json:"idp_entity_id,omitempty" desc:"By hand: the IdP entity ID (Issuer)."`
	SSOURL                  string             `json:"sso_url,omitempty" desc:"By hand: the IdP's HTTP-Redirect SSO URL."`
	Certificates            []string           `json:"certificates,omitempty" desc:"By hand: one or more IdP signing certificates, PEM."`
	Attributes              *attributesRequest `json:"attributes,omitempty"`
	SignRequests            bool               `json:"sign_requests,omitempty"`
	WantEncryptedAssertions bool               `json:"want_encrypted_assertions,omitempty"`
	AllowSHA1               bool               `json:"allow_sha1,omitempty" desc:"Accept SHA-1 signatures (refused by default)."`
	ClockSkewSeconds        *int               `json:"clock_skew_seconds,omitempty" desc:"0 to 180; default 90."`
}

type attributesRequest struct {
	Preset string `json:"preset,omitempty" desc:"default (login, name, email, groups), entra (Microsoft Entra ID claims), or custom (exactly the names given: leave email or groups out to read none)."`
	Login  string `json:"login,omitempty"`
	Name   string `json:"name,omitempty"`
	Email  string `json:"email,omitempty"`
	Groups string `json:"groups,omitempty"`
}

func (req *putSSORequest) input() admin.SSOInput {
	in := admin.SSOInput{MetadataURL: req.MetadataURL, MetadataXML: req.MetadataXML, IdPEntityID: req.IdPEntityID,
		SSOURL: req.SSOURL, Certificates: req.Certificates, SignRequests: req.SignRequests,
		WantEncryptedAssertions: req.WantEncryptedAssertions, AllowSHA1: req.AllowSHA1}
	if a := req.Attributes; a != nil {
		in.Preset = a.Preset
		in.Attributes = gatehouse.AttributeNames{Login: a.Login, Name: a.Name, Email: a.Email, Groups: a.Groups}
	}
	if req.ClockSkewSeconds != nil {
		d := time.Duration(*req.ClockSkewSeconds) * time.Second
		in.ClockSkew = &d
	}
	return in
}

func (s *Server) ssoRoutes() []route {
	return []route{
		{method: "GET", pattern: "/api/v1/enterprises/{key}/sso", tag: "sso", summary: "Get the enterprise's SSO connection, with the SP values and setup warnings",
			response: ssoJSON{}, status: 200, handle: s.handleGetSSO},
		{method: "PUT", pattern: "/api/v1/enterprises/{key}/sso", tag: "sso", summary: "Set up or replace the SSO connection, from metadata or by hand",
			request: &putSSORequest{}, response: ssoJSON{}, status: 200, handle: s.handlePutSSO},
		{method: "DELETE", pattern: "/api/v1/enterprises/{key}/sso", tag: "sso", summary: "Delete the SSO connection",
			query:  []queryParam{{"force", "true to delete even if an organization is left without an admin who can log in without SSO.", "boolean"}},
			status: 204, handle: s.handleDeleteSSO},
		{method: "POST", pattern: "/api/v1/enterprises/{key}/sso/refresh", tag: "sso", summary: "Fetch the IdP metadata again now",
			response: ssoJSON{}, status: 200, handle: s.handleRefreshSSO},
		{method: "GET", pattern: "/api/v1/enterprises/{key}/sso/warnings", tag: "sso", summary: "The SSO setup warnings",
			response: []warningJSON{}, status: 200, handle: s.handleSSOWarnings},
		{method: "GET", pattern: "/api/v1/enterprises/{key}/sso/attempts", tag: "sso", summary: "The latest SSO login attempts, with outcome and reason",
			query:    []queryParam{{"limit", "1 to 500; default 50.", "integer"}},
			response: []auditEventJSON{}, status: 200, handle: s.handleSSOAttempts},
	}
}

// handleGetSSO handles "GET /api/v1/enterprises/{key}/sso".
func (s *Server) handleGetSSO(w http.ResponseWriter, r *http.Request, a gatehouse.Actor) error {
	v, err := s.cfg.Admin.SSO(r.Context(), a, r.PathValue("key"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, toSSOJSON(v))
	return nil
}

// handlePutSSO handles "PUT /api/v1/enterprises/{key}/sso".
func (s *Server) handlePutSSO(w http.ResponseWriter, r *http.Request, a gatehouse.Actor) error {
	var req putSSORequest
	if err := decodeJSON(w, r, &req); err != nil {
		return err
	}
	v, err := s.cfg.Admin.PutSSO(r.Context(), a, r.PathValue("key"), req.input())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, toSSOJSON(v))
	return nil
}

// handleDeleteSSO handles "DELETE /api/v1/enterprises/{key}/sso".
func (s *Server) handleDeleteSSO(w http.ResponseWriter, r *http.Request, a gatehouse.Actor) error {
	force, err := queryBool(r.URL.Query().Get("force"), "force")
	if err != nil {
		return err
	}
	return noContent(w, s.cfg.Admin.DeleteSSO(r.Context(), a, r.PathValue("key"), force))
}

// handleRefreshSSO handles "POST /api/v1/enterprises/{key}/sso/refresh".
func (s *Server) handleRefreshSSO(w http.ResponseWriter, r *http.Request, a gatehouse.Actor) error {
	v, err := s.cfg.Admin.RefreshSSOMetadata(r.Context(), a, r.PathValue("key"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, toSSOJSON(v))
	return nil
}

// handleSSOWarnings handles "GET /api/v1/enterprises/{key}/sso/warnings".
func (s *Server) handleSSOWarnings(w http.ResponseWriter, r *http.Request, a gatehouse.Actor) error {
	v, err := s.cfg.Admin.SSO(r.Context(), a, r.PathValue("key"))
	if err != nil {
		return err
	}
	writeList(w, v.Warnings, toWarningJSON)
	return nil
}

// handleSSOAttempts handles "GET /api/v1/enterprises/{key}/sso/attempts".
func (s *Server) handleSSOAttempts(w http.ResponseWriter, r *http.Request, a gatehouse.Actor) error {
	n, err := queryInt(r.URL.Query().Get("limit"), "limit")
	if err != nil {
		return err
	}
	evs, err := s.cfg.Admin.SSOAttempts(r.Context(), a, r.PathValue("key"), int(n))
	if err != nil {
		return err
	}
	writeList(w, evs, toAuditEventJSON)
	return nil
}

func queryBool(s, field string) (bool, error) {
	if s == "" {
		return false, nil
	}
	b, err := strconv.ParseBool(s)
	if err != nil {
		return false, gatehouse.Invalidf(field, "%s must be true or false.", field)
	}
	return b, nil
}
