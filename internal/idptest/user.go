package idptest

// Attribute names the sample users carry: Gatehouse's defaults (SPEC §2) and the claims
// Microsoft Entra ID sends.
const (
	AttrLogin  = "login"
	AttrName   = "name"
	AttrEmail  = "email"
	AttrGroups = "groups"

	EntraAttrLogin   = "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name"
	EntraAttrName    = "http://schemas.microsoft.com/identity/claims/displayname"
	EntraAttrEmail   = "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress"
	EntraAttrOverage = "http://schemas.microsoft.com/claims/groups.link"
)

// A User is an account of the test IdP. Attributes are sent as they are, each value
// as one AttributeValue; an attribute with several values is multi-valued. The NameID
// is the value of the "email" attribute, which every user needs.
type User struct {
	Username   string
	Password   string
	Attributes map[string][]string
}

// NewUser returns a user with Gatehouse's default attributes: login and password are
// username, name and email as given, and groups (left out when there are none).
func NewUser(username, name, email string, groups ...string) User {
	attrs := map[string][]string{
		AttrLogin: {username},
		AttrName:  {name},
		AttrEmail: {email},
	}
	if len(groups) > 0 {
		attrs[AttrGroups] = groups
	}
	return User{Username: username, Password: username, Attributes: attrs}
}

// SampleUsers returns the users of the peer's users.example.php, in a new slice that a
// test may append to:
//   - alice (password alicepass): groups Developers, Admins, Cloud Users;
//   - bob (bobpass): group developers, which differs from Developers only by case;
//   - carol (carolpass): no groups attribute at all;
//   - dave (davepass): Entra ID claim names, and the groups overage claim instead of groups.
func SampleUsers() []User {
	alice := NewUser("alice", "Alice Liddell", "alice@example.com", "Developers", "Admins", "Cloud Users")
	bob := NewUser("bob", "Bob Builder", "bob@example.com", "developers")
	carol := NewUser("carol", "Carol Nogroups", "carol@example.com")
	for _, u := range []*User{&alice, &bob, &carol} {
		u.Password = u.Username + "pass"
	}
	dave := User{Username: "dave", Password: "davepass", Attributes: map[string][]string{
		EntraAttrLogin:   {"dave@contoso.example"},
		EntraAttrName:    {"Dave Overage"},
		EntraAttrEmail:   {"dave@contoso.example"},
		AttrEmail:        {"dave@contoso.example"},
		EntraAttrOverage: {"https://graph.windows.net/aaaabbbb-0000-cccc-1111-dddd2222eeee/users/aaaaaaaa-0000-1111-2222-bbbbbbbbbbbb/getMemberObjects"},
	}}
	return []User{alice, bob, carol, dave}
}
