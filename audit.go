package gatehouse

import "time"

// Audit event types.
const (
	AuditUserLogin         = "authentication.user_login"
	AuditLoginFailed       = "authentication.login_failed"
	AuditUserCreate        = "user.create"
	AuditUserUpdate        = "user.update"
	AuditUserRemove        = "user.remove"
	AuditUserDeactivate    = "user.deactivate"
	AuditUserReactivate    = "user.reactivate"
	AuditEnterpriseCreate  = "enterprise.create"
	AuditEnterpriseUpdate  = "enterprise.update"
	AuditEnterpriseRemove  = "enterprise.remove"
	AuditEnterpriseAdmin   = "enterprise.add_admin"
	AuditEnterpriseUnadmin = "enterprise.remove_admin"
	AuditOrgCreate         = "org.create"
	AuditOrgUpdate         = "org.update"
	AuditOrgRemove         = "org.remove"
	AuditOrgAddUser        = "org.add_user"
	AuditOrgRemoveUser     = "org.remove_user"
	AuditGroupCreate       = "group.create"
	AuditGroupUpdate       = "group.update"
	AuditGroupRemove       = "group.remove"
	AuditGroupAddMember    = "group.add_member"
	AuditGroupRemoveMember = "group.remove_member"
	AuditAddPermission     = "org.add_permission"
	AuditRemovePermission  = "org.remove_permission"
	AuditProjectCreate     = "project.create"
	AuditProjectUpdate     = "project.update"
	AuditProjectRemove     = "project.remove"
	AuditSSOUpdate         = "sso.update"
	AuditSSODelete         = "sso.delete"
	AuditTokenCreate       = "token.create"
	AuditTokenRevoke       = "token.revoke"
)

// AuditRetention is how long audit events are kept.
const AuditRetention = 180 * 24 * time.Hour

// An AuditEvent records one change, in the same transaction as the change.
type AuditEvent struct {
	ID             int64
	Time           time.Time // UTC
	EnterpriseID   int64     // 0 if none
	OrganizationID int64     // 0 if none
	// Actor is [Actor.String] of who made the change.
	Actor       string
	ActorUserID int64 // 0 unless a user acted
	Type        string
	// Target names what changed, for people: "group:Developers", "user:alice-x1y2".
	Target string
	// Details holds the rest as JSON-encodable values; never secrets.
	Details map[string]any
}
