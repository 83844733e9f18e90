package web

import (
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/gatehouse-sso/gatehouse"
	"github.com/gatehouse-sso/gatehouse/admin"
	"github.com/gatehouse-sso/gatehouse/login"
)

// auditPageSize is how many events one page of the audit log shows.
const auditPageSize = 50

// auditTypes are the event types the audit log's filter offers.
var auditTypes = []string{
	gatehouse.AuditUserLogin, gatehouse.AuditLoginFailed, login.AuditSSOTest,
	gatehouse.AuditUserCreate, gatehouse.AuditUserUpdate, gatehouse.AuditUserRemove, gatehouse.AuditUserDeactivate, gatehouse.AuditUserReactivate,
	gatehouse.AuditEnterpriseCreate, gatehouse.AuditEnterpriseUpdate, gatehouse.AuditEnterpriseAdmin, gatehouse.AuditEnterpriseUnadmin,
	gatehouse.AuditOrgCreate, gatehouse.AuditOrgUpdate, gatehouse.AuditOrgRemove, gatehouse.AuditOrgAddUser, gatehouse.AuditOrgRemoveUser,
	gatehouse.AuditGroupCreate, gatehouse.AuditGroupUpdate, gatehouse.AuditGroupRemove, gatehouse.AuditGroupAddMember, gatehouse.AuditGroupRemoveMember,
	gatehouse.AuditAddPermission, gatehouse.AuditRemovePermission,
	gatehouse.AuditProjectCreate, gatehouse.AuditProjectUpdate, gatehouse.AuditProjectRemove,
	gatehouse.AuditSSOUpdate, gatehouse.AuditSSODelete, gatehouse.AuditTokenCreate, gatehouse.AuditTokenRevoke,
}

// auditFilter is the audit log's filter as typed: dates are YYYY-MM-DD, UTC.
type auditFilter struct {
	Type, Actor, Since, Until string
}

// auditData is the data of the audit log page.
type auditData struct {
	enterpriseView
	Filter auditFilter
	Types  []string
	Events []*gatehouse.AuditEvent
	// Older is the link to the next page of older events; "" if none.
	Older string
}

// enterpriseAuditPage renders "GET /enterprises/{key}/audit?type=&actor=&since=&until=&before=":
// the enterprise's audit log, newest first, filtered by type, actor and
// time.
func (s *Server) enterpriseAuditPage(w http.ResponseWriter, r *http.Request, c *console) error {
	v, err := s.enterpriseView(r, c, "Audit log")
	if err != nil {
		return err
	}
	qs := r.URL.Query()
	d := auditData{enterpriseView: v, Types: auditTypes,
		Filter: auditFilter{Type: qs.Get("type"), Actor: qs.Get("actor"), Since: qs.Get("since"), Until: qs.Get("until")}}
	q, err := d.Filter.query(v.Enterprise.Key, qs.Get("before"))
	if err == nil {
		d.Events, err = s.cfg.Admin.AuditEvents(r.Context(), c.actor, q)
	}
	if gatehouse.ErrorCode(err) == gatehouse.EINTERNAL {
		return err
	}
	if err != nil {
		c.status = errorStatus(err)
		d.Failed = &failedForm{Form: "filter", Message: gatehouse.ErrorMessage(err), Values: qs}
	}
	if len(d.Events) > auditPageSize {
		d.Events = d.Events[:auditPageSize]
		older := url.Values{"type": {d.Filter.Type}, "actor": {d.Filter.Actor}, "since": {d.Filter.Since}, "until": {d.Filter.Until},
			"before": {strconv.FormatInt(d.Events[auditPageSize-1].ID, 10)}}
		d.Older = enterprisePath(r, "/audit") + "?" + older.Encode()
	}
	return s.render(w, r, c, "enterprise_audit", "Audit log · "+v.Enterprise.Name, d)
}

// query turns f into the audit query of the enterprise with key, one
// event more than a page so that the page knows whether older ones exist.
func (f auditFilter) query(key, before string) (admin.AuditQuery, error) {
	q := admin.AuditQuery{Enterprise: key, Actor: f.Actor, Limit: auditPageSize + 1}
	if f.Type != "" {
		q.Types = []string{f.Type}
	}
	var err error
	if q.Since, err = day(f.Since, "since"); err != nil {
		return q, err
	}
	if q.Until, err = day(f.Until, "until"); err != nil {
		return q, err
	}
	if !q.Until.IsZero() {
		q.Until = q.Until.Add(24 * time.Hour) // the whole of the last day
	}
	if before != "" {
		if q.BeforeID, err = strconv.ParseInt(before, 10, 64); err != nil {
			return q, gatehouse.Invalidf("before", "The page link is broken: start again from the first page.")
		}
	}
	return q, nil
}

// day parses a YYYY-MM-DD date as midnight UTC; "" is the zero time.
func day(s, field string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return t, gatehouse.Invalidf(field, "%q is not a date such as 2026-01-31.", s)
	}
	return t, nil
}
