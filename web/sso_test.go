package web_test

import (
	"strings"
	"testing"
)

func TestSSOConnectionAPI(t *testing.T) {
	ts := MustServer(t)
	ts.mustCall(t, 201, "POST", "/api/v1/enterprises", map[string]any{"key": "acme", "name": "Acme"})
	cert := MustIdPCert(t)
	r := ts.call(t, "PUT", "/api/v1/enterprises/acme/sso", map[string]any{"idp_entity_id": "https://idp.example.com",
		"sso_url": "https://idp.example.com/sso", "certificates": []string{"-----BEGIN CERTIFICATE-----\nnope\n-----END CERTIFICATE-----"}})
	if r.Status != 400 || r.errorField() != "certificates[0]" {
		t.Errorf("PUT with a bad PEM = %d %v; want 400 naming certificates[0]", r.Status, r.Body)
	}
	ts.mustCall(t, 404, "GET", "/api/v1/enterprises/acme/sso", nil)
	got := ts.mustCall(t, 200, "PUT", "/api/v1/enterprises/acme/sso", map[string]any{"idp_entity_id": "https://idp.example.com",
		"sso_url": "https://idp.example.com/sso", "certificates": []string{cert}, "attributes": map[string]any{"preset": "entra"},
		"clock_skew_seconds": 120})
	sp := got.field("sp").(map[string]any)
	base := ts.URL
	for field, want := range map[string]string{"entity_id": base + "/saml/acme", "acs_url": base + "/saml/acme/acs",
		"metadata_url": base + "/saml/acme/metadata", "login_url": base + "/login/sso?enterprise_key=acme"} {
		if sp[field] != want {
			t.Errorf("sp.%s = %v; want %s", field, sp[field], want)
		}
	}
	if got.field("clock_skew_seconds") != float64(120) {
		t.Errorf("clock_skew_seconds = %v; want 120", got.field("clock_skew_seconds"))
	}
	md := ts.mustCall(t, 200, "GET", "/saml/acme/metadata", nil)
	if body := md.Body.(string); !strings.Contains(body, `entityID="`+base+`/saml/acme"`) || !strings.Contains(body, base+"/saml/acme/acs") {
		t.Errorf("SP metadata lacks the entity ID or ACS URL:\n%s", body)
	}
	ts.mustCall(t, 204, "DELETE", "/api/v1/enterprises/acme/sso?force=true", nil)
	ts.mustCall(t, 404, "GET", "/saml/acme/metadata", nil)
}
