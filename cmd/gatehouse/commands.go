package main

import (
	"errors"
	"flag"
	"fmt"
	"strconv"
	"strings"

	"github.com/gatehouse-sso/gatehouse"
	"github.com/gatehouse-sso/gatehouse/admin"
)

// adminCommands are the administration commands, by noun then verb. Each
// acts as the operator through the admin service, as the API does.
var adminCommands = map[string]map[string]cliCommand{
	"enterprise": {
		"create":            {"create an enterprise", enterpriseCreate},
		"list":              {"list enterprises", enterpriseList},
		"add-admin":         {"make a user an enterprise administrator", enterpriseAddAdmin},
		"set-ip-allow-list": {"set the CIDR ranges SSO logins and tokens may come from", enterpriseSetIPAllowList},
	},
	"org": {
		"create":     {"create an organization with its Members and Owners groups", orgCreate},
		"list":       {"list organizations", orgList},
		"add-member": {"add a local user to an organization", orgAddMember},
	},
	"group": {
		"create":     {"create a group with permissions", groupCreate},
		"list":       {"list the groups of an organization", groupList},
		"add-member": {"add a user to a group by hand", groupAddMember},
	},
	"project": {
		"create": {"create a project", projectCreate},
		"list":   {"list the projects of an organization", projectList},
	},
	"sso": {
		"set":     {"set up or replace an enterprise's SSO connection, from metadata or by hand", ssoSet},
		"show":    {"show an SSO connection with the values to copy into the IdP", ssoShow},
		"refresh": {"fetch the IdP metadata again now", ssoRefresh},
		"delete":  {"delete an SSO connection", ssoDelete},
	},
	"user": {
		"create": {"create a local user (password on stdin or in GATEHOUSE_USER_PASSWORD)", userCreate},
		"list":   {"list users", userList},
	},
}

func enterpriseCreate(fs *flag.FlagSet) func(c *cli) error {
	key := fs.String("key", "", "enterprise key (slug)")
	name := fs.String("name", "", "enterprise name")
	allow := fs.String("ip-allow-list", "", "comma-separated CIDR ranges; empty allows all")
	return func(c *cli) error {
		if err := required(map[string]*string{"key": key, "name": name}); err != nil {
			return err
		}
		e := &gatehouse.Enterprise{Key: *key, Name: *name, IPAllowList: splitList(*allow)}
		if err := c.admin.CreateEnterprise(c.ctx, gatehouse.Operator, e); err != nil {
			return err
		}
		fmt.Fprintf(c.stdout, "created enterprise %s\n", e.Key)
		return nil
	}
}

func enterpriseList(fs *flag.FlagSet) func(c *cli) error {
	return func(c *cli) error {
		es, err := c.admin.ListEnterprises(c.ctx, gatehouse.Operator)
		if err != nil {
			return err
		}
		var rows [][]string
		for _, e := range es {
			rows = append(rows, []string{e.Key, e.Name, strings.Join(e.IPAllowList, ",")})
		}
		c.table("KEY\tNAME\tIP ALLOW LIST", rows)
		return nil
	}
}

func enterpriseAddAdmin(fs *flag.FlagSet) func(c *cli) error {
	key := fs.String("enterprise", "", "enterprise key")
	login := fs.String("login", "", "user login")
	return func(c *cli) error {
		if err := required(map[string]*string{"enterprise": key, "login": login}); err != nil {
			return err
		}
		if err := c.admin.AddEnterpriseAdmin(c.ctx, gatehouse.Operator, *key, *login); err != nil {
			return err
		}
		fmt.Fprintf(c.stdout, "%s administers enterprise %s\n", *login, *key)
		return nil
	}
}

func enterpriseSetIPAllowList(fs *flag.FlagSet) func(c *cli) error {
	key := fs.String("enterprise", "", "enterprise key")
	cidrs := fs.String("cidrs", "", `comma-separated CIDR ranges; "" allows every address`)
	return func(c *cli) error {
		given := false
		fs.Visit(func(f *flag.Flag) { given = given || f.Name == "cidrs" })
		if !given {
			return errors.New(`flag --cidrs is required: give the ranges, or --cidrs "" to allow every address`)
		}
		if err := required(map[string]*string{"enterprise": key}); err != nil {
			return err
		}
		list := splitList(*cidrs)
		e, err := c.admin.UpdateEnterprise(c.ctx, gatehouse.Operator, *key, admin.EnterpriseUpdate{IPAllowList: &list})
		if err != nil {
			return err
		}
		if len(e.IPAllowList) == 0 {
			fmt.Fprintf(c.stdout, "enterprise %s allows every address\n", e.Key)
			return nil
		}
		fmt.Fprintf(c.stdout, "enterprise %s allows %s\n", e.Key, strings.Join(e.IPAllowList, ", "))
		return nil
	}
}

func orgCreate(fs *flag.FlagSet) func(c *cli) error {
	key := fs.String("key", "", "organization key (slug)")
	name := fs.String("name", "", "organization name")
	ent := fs.String("enterprise", "", "enterprise key, if the organization belongs to one")
	return func(c *cli) error {
		if err := required(map[string]*string{"key": key, "name": name}); err != nil {
			return err
		}
		o := &gatehouse.Organization{Key: *key, Name: *name}
		if err := c.admin.CreateOrganization(c.ctx, gatehouse.Operator, o, *ent); err != nil {
			return err
		}
		fmt.Fprintf(c.stdout, "created organization %s with groups Members and Owners\n", o.Key)
		return nil
	}
}

func orgList(fs *flag.FlagSet) func(c *cli) error {
	ent := fs.String("enterprise", "", "only the organizations of this enterprise")
	return func(c *cli) error {
		orgs, err := c.admin.ListOrganizations(c.ctx, gatehouse.Operator, *ent)
		if err != nil {
			return err
		}
		var rows [][]string
		for _, o := range orgs {
			rows = append(rows, []string{o.Key, o.Name})
		}
		c.table("KEY\tNAME", rows)
		return nil
	}
}

func orgAddMember(fs *flag.FlagSet) func(c *cli) error {
	org := fs.String("org", "", "organization key")
	login := fs.String("login", "", "local user login")
	return func(c *cli) error {
		if err := required(map[string]*string{"org": org, "login": login}); err != nil {
			return err
		}
		if err := c.admin.AddMember(c.ctx, gatehouse.Operator, *org, *login); err != nil {
			return err
		}
		fmt.Fprintf(c.stdout, "%s is a member of %s\n", *login, *org)
		return nil
	}
}

func groupCreate(fs *flag.FlagSet) func(c *cli) error {
	org := fs.String("org", "", "organization key")
	name := fs.String("name", "", "group name (case-sensitive; group sync matches it exactly)")
	desc := fs.String("description", "", "group description")
	perms := fs.String("permissions", "", "comma-separated: admin, scan, provisioning, gateadmin, profileadmin")
	return func(c *cli) error {
		if err := required(map[string]*string{"org": org, "name": name}); err != nil {
			return err
		}
		g := &gatehouse.Group{Name: *name, Description: *desc}
		for _, p := range splitList(*perms) {
			g.Permissions = append(g.Permissions, gatehouse.Permission(p))
		}
		if err := c.admin.CreateGroup(c.ctx, gatehouse.Operator, *org, g); err != nil {
			return err
		}
		fmt.Fprintf(c.stdout, "created group %q (id %d) in %s\n", g.Name, g.ID, *org)
		return nil
	}
}

func groupList(fs *flag.FlagSet) func(c *cli) error {
	org := fs.String("org", "", "organization key")
	return func(c *cli) error {
		if err := required(map[string]*string{"org": org}); err != nil {
			return err
		}
		gs, err := c.admin.ListGroups(c.ctx, gatehouse.Operator, *org)
		if err != nil {
			return err
		}
		var rows [][]string
		for _, g := range gs {
			perms := make([]string, len(g.Permissions))
			for i, p := range g.Permissions {
				perms[i] = string(p)
			}
			rows = append(rows, []string{strconv.FormatInt(g.ID, 10), g.Name, strings.Join(perms, ","), g.Description})
		}
		c.table("ID\tNAME\tPERMISSIONS\tDESCRIPTION", rows)
		return nil
	}
}

func groupAddMember(fs *flag.FlagSet) func(c *cli) error {
	id := fs.Int64("group", 0, "group ID (see group list)")
	login := fs.String("login", "", "user login")
	return func(c *cli) error {
		if *id <= 0 {
			return fmt.Errorf("flag --group is required")
		}
		if err := required(map[string]*string{"login": login}); err != nil {
			return err
		}
		if err := c.admin.AddGroupMember(c.ctx, gatehouse.Operator, *id, *login); err != nil {
			return err
		}
		fmt.Fprintf(c.stdout, "%s is in group %d\n", *login, *id)
		return nil
	}
}

func projectCreate(fs *flag.FlagSet) func(c *cli) error {
	org := fs.String("org", "", "organization key")
	key := fs.String("key", "", "project key")
	name := fs.String("name", "", "project name")
	return func(c *cli) error {
		if err := required(map[string]*string{"org": org, "key": key, "name": name}); err != nil {
			return err
		}
		p := &gatehouse.Project{Key: *key, Name: *name}
		if err := c.admin.CreateProject(c.ctx, gatehouse.Operator, *org, p); err != nil {
			return err
		}
		fmt.Fprintf(c.stdout, "created project %s in %s\n", p.Key, *org)
		return nil
	}
}

func projectList(fs *flag.FlagSet) func(c *cli) error {
	org := fs.String("org", "", "organization key")
	return func(c *cli) error {
		if err := required(map[string]*string{"org": org}); err != nil {
			return err
		}
		ps, err := c.admin.ListProjects(c.ctx, gatehouse.Operator, *org)
		if err != nil {
			return err
		}
		var rows [][]string
		for _, p := range ps {
			rows = append(rows, []string{p.Key, p.Name})
		}
		c.table("KEY\tNAME", rows)
		return nil
	}
}

func userCreate(fs *flag.FlagSet) func(c *cli) error {
	login := fs.String("login", "", "login")
	name := fs.String("name", "", "full name")
	email := fs.String("email", "", "email address")
	return func(c *cli) error {
		if err := required(map[string]*string{"login": login, "name": name}); err != nil {
			return err
		}
		pw, err := readPassword(c.stdin)
		if err != nil {
			return err
		}
		u := &gatehouse.User{Login: *login, Name: *name, Email: *email}
		if err := c.admin.CreateLocalUser(c.ctx, gatehouse.Operator, u, pw); err != nil {
			return err
		}
		fmt.Fprintf(c.stdout, "created local user %s\n", u.Login)
		return nil
	}
}

func userList(fs *flag.FlagSet) func(c *cli) error {
	email := fs.String("email", "", "only users with this email")
	ent := fs.String("enterprise", "", "only the SSO users of this enterprise")
	return func(c *cli) error {
		us, err := c.admin.ListUsers(c.ctx, gatehouse.Operator, admin.UserQuery{Enterprise: *ent, Email: *email})
		if err != nil {
			return err
		}
		var rows [][]string
		for _, u := range us {
			rows = append(rows, []string{u.Login, u.Kind, u.Name, u.Email, strconv.FormatBool(u.Active)})
		}
		c.table("LOGIN\tKIND\tNAME\tEMAIL\tACTIVE", rows)
		return nil
	}
}
