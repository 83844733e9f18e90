package devidp

import "fmt"

// A User is an account of the development IdP. Login, Password and Email are required;
// Login is unique. Groups become the values of the groups attribute, as they are.
type User struct {
	Login    string
	Password string // plain text: the login page shows it
	Name     string
	Email    string // also the NameID
	Groups   []string
}

// SampleUsers returns the users `gatehouse demo` starts with, in a new slice:
//   - alice (password alice): groups Developers and Admins; the demo seeds Developers in
//     two organizations, so she lands in both;
//   - bob (bob): group developers, which differs from Developers only by case and so
//     matches nothing (group names are case-sensitive);
//   - carol (carol): no groups.
func SampleUsers() []User {
	return []User{
		{Login: "alice", Password: "alice", Name: "Alice Liddell", Email: "alice@example.com", Groups: []string{"Developers", "Admins"}},
		{Login: "bob", Password: "bob", Name: "Bob Builder", Email: "bob@example.com", Groups: []string{"developers"}},
		{Login: "carol", Password: "carol", Name: "Carol Nogroups", Email: "carol@example.com"},
	}
}

// validateUsers reports the first user that lacks a required field or repeats a login.
func validateUsers(users []User) error {
	seen := map[string]bool{}
	for i, u := range users {
		switch {
		case u.Login == "" || u.Password == "" || u.Email == "":
			return fmt.Errorf("user %d (%q): login, password and email are required", i, u.Login)
		case seen[u.Login]:
			return fmt.Errorf("user %q appears twice", u.Login)
		}
		seen[u.Login] = true
	}
	return nil
}
