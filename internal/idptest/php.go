package idptest

import (
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// An SP is a service provider the test IdP knows. The IdP posts every Response to
// ACSURL, whatever the AuthnRequest asks for. When SigningCertPEM is set, the IdP
// refuses AuthnRequests that are not signed by its key. When EncryptAssertions is
// set too, the IdP encrypts its assertions to that certificate's key.
type SP struct {
	EntityID          string
	ACSURL            string
	SigningCertPEM    string
	EncryptAssertions bool
}

// phpString quotes s as a PHP single-quoted string literal.
func phpString(s string) string {
	return "'" + strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(s) + "'"
}

// writeSPFile writes the saml20-sp-remote.php that run-idp.sh copies, and each SP's
// signing certificate into certDir, where SimpleSAMLphp looks for it.
func writeSPFile(path, certDir string, sps []SP) error {
	var b strings.Builder
	b.WriteString("<?php\n")
	for i, sp := range sps {
		fmt.Fprintf(&b, "$metadata[%s] = [\n", phpString(sp.EntityID))
		fmt.Fprintf(&b, "    'AssertionConsumerService' => [['Binding' => 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST', 'Location' => %s, 'index' => 0]],\n", phpString(sp.ACSURL))
		b.WriteString("    'NameIDFormat' => 'urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress',\n")
		b.WriteString("    'attributes.NameFormat' => 'urn:oasis:names:tc:SAML:2.0:attrname-format:basic',\n")
		if sp.SigningCertPEM != "" {
			name := fmt.Sprintf("sp-%d.crt", i)
			if err := os.WriteFile(filepath.Join(certDir, name), []byte(sp.SigningCertPEM), 0o644); err != nil {
				return fmt.Errorf("write certificate of %s: %w", sp.EntityID, err)
			}
			fmt.Fprintf(&b, "    'certificate' => %s, 'validate.authnrequest' => true,\n", phpString(name))
			if sp.EncryptAssertions {
				b.WriteString("    'assertion.encryption' => true,\n")
			}
		}
		b.WriteString("];\n")
	}
	return os.WriteFile(path, []byte(b.String()), 0o644)
}

// writeUsersFile writes the users file that run-idp.sh hands to exampleauth:UserPass:
// an array of "username:password" => attributes.
func writeUsersFile(path string, users []User) error {
	var b strings.Builder
	b.WriteString("<?php\nreturn [\n")
	for _, u := range users {
		if strings.Contains(u.Username, ":") {
			return fmt.Errorf("username %q: SimpleSAMLphp splits user:password at the first colon", u.Username)
		}
		fmt.Fprintf(&b, "    %s => [\n", phpString(u.Username+":"+u.Password))
		for _, name := range slices.Sorted(maps.Keys(u.Attributes)) {
			values := make([]string, len(u.Attributes[name]))
			for i, v := range u.Attributes[name] {
				values[i] = phpString(v)
			}
			fmt.Fprintf(&b, "        %s => [%s],\n", phpString(name), strings.Join(values, ", "))
		}
		b.WriteString("    ],\n")
	}
	b.WriteString("];\n")
	return os.WriteFile(path, []byte(b.String()), 0o644)
}
