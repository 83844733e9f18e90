package gatehouse

import "fmt"

// Kinds of actor.
const (
	ActorOperator = "operator"  // the holder of the operator token or the CLI
	ActorUser     = "user"      // a signed-in user or a user's token
	ActorSAMLSync = "saml-sync" // group sync at SSO login
	ActorSCIM     = "scim"      // the identity provider through SCIM
	ActorSystem   = "system"    // background jobs (expiry, purges)
)

// An Actor is who performs a change: the services authorise with it and
// the audit log records it.
type Actor struct {
	Kind string
	// User is the acting user when Kind is ActorUser, and the user being
	// signed in for ActorSAMLSync. Nil otherwise.
	User *User
}

// Operator is the actor of the operator token and of the CLI.
var Operator = Actor{Kind: ActorOperator}

// System is the actor of background jobs and of refusals no user made.
var System = Actor{Kind: ActorSystem}

// UserActor returns the actor for u.
func UserActor(u *User) Actor { return Actor{Kind: ActorUser, User: u} }

// String returns how the audit log names a: "operator", "saml-sync",
// "scim", "system" or "user:<login>".
func (a Actor) String() string {
	if a.Kind == ActorUser && a.User != nil {
		return fmt.Sprintf("user:%s", a.User.Login)
	}
	return a.Kind
}

// UserID returns the ID of a's user, or 0.
func (a Actor) UserID() int64 {
	if a.Kind == ActorUser && a.User != nil {
		return a.User.ID
	}
	return 0
}
