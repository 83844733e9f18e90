package main

import (
	"flag"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/gatehouse-sso/gatehouse"
	"github.com/gatehouse-sso/gatehouse/admin"
)

// stringList is a flag that may be repeated.
type stringList []string

func (l *stringList) String() string     { return strings.Join(*l, ",") }
func (l *stringList) Set(v string) error { *l = append(*l, v); return nil }

func ssoSet(fs *flag.FlagSet) func(c *cli) error {
	key := fs.String("enterprise", "", "enterprise key")
	mdURL := fs.String("metadata-url", "", "IdP metadata URL (fetched now and daily)")
	mdFile := fs.String("metadata-file", "", "IdP metadata XML file")
	entityID := fs.String("idp-entity-id", "", "by hand: the IdP entity ID")
	ssoURL := fs.String("sso-url", "", "by hand: the IdP's HTTP-Redirect SSO URL")
	var certFiles stringList
	fs.Var(&certFiles, "cert-file", "by hand: an IdP signing certificate (PEM file); repeat for several")
	preset := fs.String("preset", admin.PresetDefault, "attribute names: default (login, name, email, groups), entra (Entra ID's claim names) or custom (only the -attribute flags given)")
	var in admin.SSOInput
	fs.StringVar(&in.Attributes.Login, "login-attribute", "", "override the login attribute name")
	fs.StringVar(&in.Attributes.Name, "name-attribute", "", "override the name attribute name")
	fs.StringVar(&in.Attributes.Email, "email-attribute", "", "override the email attribute name")
	fs.StringVar(&in.Attributes.Groups, "groups-attribute", "", "override the groups attribute name")
	fs.BoolVar(&in.SignRequests, "sign-requests", false, "sign AuthnRequests with the enterprise's SP key")
	fs.BoolVar(&in.WantEncryptedAssertions, "want-encrypted-assertions", false, "require encrypted assertions (the IdP must then sign the Response)")
	fs.BoolVar(&in.AllowSHA1, "allow-sha1", false, "accept SHA-1 signatures (refused by default)")
	skew := fs.Duration("clock-skew", gatehouse.DefaultClockSkew, "allowed clock difference with the IdP, up to 3m")
	return func(c *cli) error {
		if err := required(map[string]*string{"enterprise": key}); err != nil {
			return err
		}
		in.MetadataURL, in.IdPEntityID, in.SSOURL, in.Preset, in.ClockSkew = *mdURL, *entityID, *ssoURL, *preset, skew
		var err error
		if *mdFile != "" {
			if in.MetadataXML, err = readFile(*mdFile); err != nil {
				return err
			}
		}
		for _, f := range certFiles {
			pem, err := readFile(f)
			if err != nil {
				return err
			}
			in.Certificates = append(in.Certificates, pem)
		}
		v, err := c.admin.PutSSO(c.ctx, gatehouse.Operator, *key, in)
		if err != nil {
			return err
		}
		printSSO(c, v)
		return nil
	}
}

func readFile(name string) (string, error) {
	b, err := os.ReadFile(name)
	if err != nil {
		return "", fmt.Errorf("read %s: %w", name, err)
	}
	return string(b), nil
}

func ssoShow(fs *flag.FlagSet) func(c *cli) error {
	key := fs.String("enterprise", "", "enterprise key")
	return func(c *cli) error {
		if err := required(map[string]*string{"enterprise": key}); err != nil {
			return err
		}
		v, err := c.admin.SSO(c.ctx, gatehouse.Operator, *key)
		if err != nil {
			return err
		}
		printSSO(c, v)
		return nil
	}
}

func ssoRefresh(fs *flag.FlagSet) func(c *cli) error {
	key := fs.String("enterprise", "", "enterprise key")
	return func(c *cli) error {
		if err := required(map[string]*string{"enterprise": key}); err != nil {
			return err
		}
		v, err := c.admin.RefreshSSOMetadata(c.ctx, gatehouse.Operator, *key)
		if err != nil {
			return err
		}
		printSSO(c, v)
		return nil
	}
}

func ssoDelete(fs *flag.FlagSet) func(c *cli) error {
	key := fs.String("enterprise", "", "enterprise key")
	force := fs.Bool("force", false, "delete even if an organization is left without an admin who can log in without SSO")
	return func(c *cli) error {
		if err := required(map[string]*string{"enterprise": key}); err != nil {
			return err
		}
		if err := c.admin.DeleteSSO(c.ctx, gatehouse.Operator, *key, *force); err != nil {
			return err
		}
		fmt.Fprintf(c.stdout, "deleted the SSO connection of %s: its SSO users can no longer log in\n", *key)
		return nil
	}
}

// printSSO prints what an admin copies into the IdP and into invitations,
// then the connection and its warnings.
func printSSO(c *cli, v *admin.SSOView) {
	conn := v.Connection
	c.table("FIELD\tVALUE", [][]string{
		{"SP entity ID", v.EntityID},
		{"ACS URL", v.ACSURL},
		{"SP metadata", v.MetadataURL},
		{"SSO login URL", v.LoginURL},
		{"IdP entity ID", conn.IdPEntityID},
		{"IdP SSO URL", conn.SSOURL},
		{"Metadata URL", conn.MetadataURL},
		{"Certificates", fmt.Sprint(len(conn.Certificates))},
		{"Attributes", fmt.Sprintf("login=%s name=%s email=%s groups=%s", conn.Attributes.Login, conn.Attributes.Name, conn.Attributes.Email, conn.Attributes.Groups)},
		{"Options", fmt.Sprintf("sign-requests=%t want-encrypted-assertions=%t allow-sha1=%t clock-skew=%s",
			conn.SignRequests, conn.WantEncryptedAssertions, conn.AllowSHA1, conn.ClockSkew.Round(time.Second))},
	})
	for _, w := range v.Warnings {
		fmt.Fprintf(c.stdout, "warning: %s\n", w.Message)
	}
}
