package e2e

import (
	"encoding/pem"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/gatehouse-sso/gatehouse/internal/browsertest"
	"github.com/gatehouse-sso/gatehouse/internal/idptest"
	"github.com/gatehouse-sso/gatehouse/saml/samltest"
)

// TestSignedRequestsAndEncryptedAssertions turns on the connection's
// options against a real IdP that requires them: SimpleSAMLphp checks the
// signature of every AuthnRequest with the SP certificate Gatehouse
// publishes, and encrypts its assertions to it (inside a signed Response).
func TestSignedRequestsAndEncryptedAssertions(t *testing.T) {
	t.Parallel()
	s := MustServe(t, sqliteDB(t))
	s.MustAPI(t, "POST", "/api/v1/enterprises", map[string]any{"key": "acme", "name": "Acme Corp"}, 201, nil)
	s.MustAPI(t, "POST", "/api/v1/enterprises/acme/organizations", map[string]any{"key": "acme-web", "name": "Acme Web"}, 201, nil)
	s.MustAPI(t, "POST", "/api/v1/organizations/acme-web/groups", map[string]any{"name": "Developers", "permissions": []string{"scan"}}, 201, nil)

	// The SP key pair is made with the first connection; the IdP needs its
	// certificate before it starts, so connect a placeholder IdP first.
	placeholder, err := samltest.NewIdP("https://placeholder.example", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	var conn struct {
		SP struct {
			Certificate string `json:"certificate"`
		} `json:"sp"`
	}
	s.MustAPI(t, "PUT", "/api/v1/enterprises/acme/sso", map[string]any{"idp_entity_id": placeholder.EntityID,
		"sso_url": "https://placeholder.example/sso", "certificates": []string{
			string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: placeholder.Certificate.Raw}))}}, 200, &conn)
	sp := idptest.SP{EntityID: s.URL + "/saml/acme", ACSURL: s.URL + "/saml/acme/acs",
		SigningCertPEM: conn.SP.Certificate, EncryptAssertions: true}
	idp := idptest.StartSimpleSAMLphp(t, []idptest.SP{sp}, idptest.SampleUsers())
	loginURL := s.URL + "/login/sso?enterprise_key=acme"

	t.Run("the IdP accepts signed requests and Gatehouse decrypts the assertion", func(t *testing.T) {
		s.MustAPI(t, "PUT", "/api/v1/enterprises/acme/sso", map[string]any{"metadata_url": idp.MetadataURL,
			"sign_requests": true, "want_encrypted_assertions": true}, 200, nil)
		ctx := browsertest.New(t)
		mustLogInFrom(t, ctx, chromedp.Navigate(loginURL), "alice", "alicepass")
		browsertest.Screenshot(t, ctx, "encrypted-login")
		if got := mustOrganizations(t, ctx)["acme-web"]; got != "groups Developers,Members; permissions scan" {
			t.Errorf("alice in acme-web = %q; want Developers and Members with scan", got)
		}
	})
	t.Run("the IdP refuses an unsigned request", func(t *testing.T) {
		s.MustAPI(t, "PUT", "/api/v1/enterprises/acme/sso", map[string]any{"metadata_url": idp.MetadataURL,
			"sign_requests": false, "want_encrypted_assertions": true}, 200, nil)
		ctx := browsertest.New(t)
		browsertest.Do(t, ctx, chromedp.Navigate(loginURL), chromedp.WaitReady(chromedp.CSS("body")))
		if body := browsertest.Text(t, ctx, "body"); !strings.Contains(body, "no signature found on message") {
			t.Errorf("an unsigned AuthnRequest reached a page without SimpleSAMLphp's refusal:\n%s", body)
		}
	})
}
