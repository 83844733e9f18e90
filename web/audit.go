package web

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gatehouse-sso/gatehouse"
	"github.com/gatehouse-sso/gatehouse/admin"
)

type auditEventJSON struct {
	ID           int64          `json:"id"`
	Time         time.Time      `json:"time"`
	Enterprise   int64          `json:"enterprise_id,omitempty"`
	Organization int64          `json:"organization_id,omitempty"`
	Actor        string         `json:"actor" desc:"operator, saml-sync, scim, system, or user:<login>."`
	Type         string         `json:"type" desc:"For example authentication.user_login, group.add_member, org.add_permission."`
	Target       string         `json:"target"`
	Details      map[string]any `json:"details,omitempty"`
}

func toAuditEventJSON(e *gatehouse.AuditEvent) auditEventJSON {
	return auditEventJSON{ID: e.ID, Time: e.Time, Enterprise: e.EnterpriseID, Organization: e.OrganizationID,
		Actor: e.Actor, Type: e.Type, Target: e.Target, Details: e.Details}
}

func (s *Server) auditRoutes() []route {
	return []route{
		{method: "GET", pattern: "/api/v1/audit-events", tag: "audit", summary: "List audit events, newest first",
			query: []queryParam{
				{"enterprise", "Enterprise key (required unless you are the operator or name an organization).", "string"},
				{"organization", "Organization key.", "string"},
				{"type", "Event types, comma-separated.", "string"},
				{"actor", "Exact actor, e.g. saml-sync or user:alice-x1y2.", "string"},
				{"since", "RFC 3339 time; events at or after it.", "string"},
				{"until", "RFC 3339 time; events before it.", "string"},
				{"before", "An event ID; events older than it (next page).", "integer"},
				{"limit", "1 to 500; default 100.", "integer"},
			},
			response: []auditEventJSON{}, status: 200, handle: s.handleListAuditEvents},
	}
}

// handleListAuditEvents handles "GET /api/v1/audit-events".
func (s *Server) handleListAuditEvents(w http.ResponseWriter, r *http.Request, a gatehouse.Actor) error {
	q, err := auditQuery(r)
	if err != nil {
		return err
	}
	evs, err := s.cfg.Admin.AuditEvents(r.Context(), a, q)
	if err != nil {
		return err
	}
	writeList(w, evs, toAuditEventJSON)
	return nil
}

// auditQuery reads the audit filters of r's query string.
func auditQuery(r *http.Request) (admin.AuditQuery, error) {
	v := r.URL.Query()
	q := admin.AuditQuery{Enterprise: v.Get("enterprise"), Organization: v.Get("organization"), Actor: v.Get("actor")}
	if t := v.Get("type"); t != "" {
		q.Types = strings.Split(t, ",")
	}
	var err error
	if q.Since, err = queryTime(v.Get("since"), "since"); err != nil {
		return q, err
	}
	if q.Until, err = queryTime(v.Get("until"), "until"); err != nil {
		return q, err
	}
	if q.BeforeID, err = queryInt(v.Get("before"), "before"); err != nil {
		return q, err
	}
	n, err := queryInt(v.Get("limit"), "limit")
	q.Limit = int(n)
	return q, err
}

func queryTime(s, field string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return t, gatehouse.Invalidf(field, "%s must be an RFC 3339 time such as 2026-01-31T12:00:00Z.", field)
	}
	return t, nil
}

func queryInt(s, field string) (int64, error) {
	if s == "" {
		return 0, nil
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 0 {
		return 0, gatehouse.Invalidf(field, "%s must be a whole number.", field)
	}
	return n, nil
}
