package admin_test

import (
	"context"
	"encoding/base64"
	"encoding/pem"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gatehouse-sso/gatehouse"
	"github.com/gatehouse-sso/gatehouse/admin"
	"github.com/gatehouse-sso/gatehouse/audit"
	"github.com/gatehouse-sso/gatehouse/saml/samltest"
	"github.com/gatehouse-sso/gatehouse/store"
)

// MustIdPCert returns the PEM certificate of a new test IdP whose
// certificate was issued at issued (valid ten years).
func MustIdPCert(tb testing.TB, issued time.Time) string {
	tb.Helper()
	idp, err := samltest.NewIdP("https://idp.example.com", issued)
	if err != nil {
		tb.Fatal(err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: idp.Certificate.Raw}))
}

// metadataXML returns IdP metadata for entityID with certPEM.
func metadataXML(entityID, ssoURL, certPEM string) string {
	block, _ := pem.Decode([]byte(certPEM))
	return fmt.Sprintf(`<EntityDescriptor xmlns="urn:oasis:names:tc:SAML:2.0:metadata" entityID="%s">
  <IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">
    <KeyDescriptor use="signing"><KeyInfo xmlns="http://www.w3.org/2000/09/xmldsig#"><X509Data><X509Certificate>%s</X509Certificate></X509Data></KeyInfo></KeyDescriptor>
    <SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="%s"/>
  </IDPSSODescriptor>
</EntityDescriptor>`, entityID, base64.StdEncoding.EncodeToString(block.Bytes), ssoURL)
}

func manual(cert string) admin.SSOInput {
	return admin.SSOInput{IdPEntityID: "https://idp.example.com", SSOURL: "https://idp.example.com/sso", Certificates: []string{cert}}
}

func TestPutSSO(t *testing.T) {
	ctx := context.Background()
	cert := MustIdPCert(t, testNow)
	tests := []struct {
		name      string
		in        admin.SSOInput
		wantCode  string
		wantField string
	}{
		{"accepts manual fields", manual(cert), "", ""},
		{"accepts metadata XML", admin.SSOInput{MetadataXML: metadataXML("https://idp.example.com", "https://idp.example.com/sso", cert)}, "", ""},
		{"refuses a bad PEM naming it", admin.SSOInput{IdPEntityID: "x", SSOURL: "https://idp/sso", Certificates: []string{cert, "not a pem"}}, gatehouse.EINVALID, "certificates[1]"},
		{"refuses a missing entity ID", admin.SSOInput{SSOURL: "https://idp/sso", Certificates: []string{cert}}, gatehouse.EINVALID, "idp_entity_id"},
		{"refuses a missing SSO URL", admin.SSOInput{IdPEntityID: "x", Certificates: []string{cert}}, gatehouse.EINVALID, "sso_url"},
		{"refuses no certificate", admin.SSOInput{IdPEntityID: "x", SSOURL: "https://idp/sso"}, gatehouse.EINVALID, "certificates"},
		{"refuses metadata and manual fields together", func() admin.SSOInput {
			in := manual(cert)
			in.MetadataXML = metadataXML("a", "https://b", cert)
			return in
		}(), gatehouse.EINVALID, "idp_entity_id"},
		{"refuses metadata without an SSO endpoint", admin.SSOInput{MetadataXML: strings.Replace(metadataXML("a", "https://b", cert), "HTTP-Redirect", "HTTP-Artifact", 1)}, gatehouse.EINVALID, "metadata"},
		{"refuses metadata with a DOCTYPE", admin.SSOInput{MetadataXML: `<!DOCTYPE x [<!ENTITY a "b">]>` + metadataXML("a", "https://b", cert)}, gatehouse.EINVALID, "metadata"},
		{"refuses an unknown preset", func() admin.SSOInput { in := manual(cert); in.Preset = "adfs"; return in }(), gatehouse.EINVALID, "attributes.preset"},
		{"refuses a clock skew over 3 minutes", func() admin.SSOInput {
			in := manual(cert)
			d := 10 * time.Minute
			in.ClockSkew = &d
			return in
		}(), gatehouse.EINVALID, "clock_skew_seconds"},
		{"refuses an unreachable metadata URL naming it", admin.SSOInput{MetadataURL: "http://127.0.0.1:1/metadata"}, gatehouse.EINVALID, "metadata_url"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, st := MustService(t)
			MustEnterprise(t, s, "acme")
			before := auditCount(t, st)
			view, err := s.PutSSO(ctx, gatehouse.Operator, "acme", tt.in)
			wantCode(t, err, tt.wantCode)
			if tt.wantField != "" {
				wantField(t, err, tt.wantField)
			}
			if err != nil {
				if got := auditCount(t, st); got != before {
					t.Errorf("a refused PUT wrote %d audit events", got-before)
				}
				if _, err := s.SSO(ctx, gatehouse.Operator, "acme"); gatehouse.ErrorCode(err) != gatehouse.ENOTFOUND {
					t.Errorf("a refused PUT left a connection: %v", err)
				}
				return
			}
			if view.EntityID != "http://gatehouse.test/saml/acme" || view.ACSURL != "http://gatehouse.test/saml/acme/acs" ||
				view.LoginURL != "http://gatehouse.test/login/sso?enterprise_key=acme" {
				t.Errorf("view URLs = %s %s %s", view.EntityID, view.ACSURL, view.LoginURL)
			}
			if view.Connection.Attributes != gatehouse.DefaultAttributes {
				t.Errorf("attributes = %+v; want the defaults", view.Connection.Attributes)
			}
		})
	}
}

func TestPutSSOKeepsTheSPKey(t *testing.T) {
	ctx := context.Background()
	s, _ := MustService(t)
	MustEnterprise(t, s, "acme")
	cert := MustIdPCert(t, testNow)
	first, err := s.PutSSO(ctx, gatehouse.Operator, "acme", manual(cert))
	if err != nil {
		t.Fatal(err)
	}
	in := manual(cert)
	in.Preset = admin.PresetEntra
	second, err := s.PutSSO(ctx, gatehouse.Operator, "acme", in)
	if err != nil {
		t.Fatal(err)
	}
	if first.Connection.SPCertificate == "" || first.Connection.SPCertificate != second.Connection.SPCertificate {
		t.Errorf("the SP certificate changed on edit")
	}
	if second.Connection.Attributes != gatehouse.EntraAttributes {
		t.Errorf("attributes = %+v; want the Entra preset", second.Connection.Attributes)
	}
}

func TestExpiringCertificateIsAcceptedWithAWarning(t *testing.T) {
	ctx := context.Background()
	s, _ := MustService(t)
	MustEnterprise(t, s, "acme")
	soon := MustIdPCert(t, testNow.AddDate(-10, 0, 10))
	view, err := s.PutSSO(ctx, gatehouse.Operator, "acme", manual(soon))
	if err != nil {
		t.Fatal(err)
	}
	if !hasWarning(view, admin.WarnCertificate) {
		t.Errorf("warnings = %+v; want a certificate warning", view.Warnings)
	}
}

func hasWarning(v *admin.SSOView, code string) bool {
	for _, w := range v.Warnings {
		if w.Code == code {
			return true
		}
	}
	return false
}

func TestMetadataURLIsFetchedAndRefreshed(t *testing.T) {
	ctx := context.Background()
	s, _ := MustService(t)
	MustEnterprise(t, s, "acme")
	var doc atomic.Value
	doc.Store(metadataXML("https://idp.example.com", "https://idp.example.com/sso", MustIdPCert(t, testNow)))
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, doc.Load().(string))
	}))
	defer srv.Close()
	view, err := s.PutSSO(ctx, gatehouse.Operator, "acme", admin.SSOInput{MetadataURL: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	if view.Connection.SSOURL != "https://idp.example.com/sso" || !view.Connection.MetadataFetchedAt.Equal(testNow) {
		t.Errorf("connection = %+v", view.Connection)
	}
	rotated := MustIdPCert(t, testNow)
	doc.Store(metadataXML("https://idp.example.com", "https://idp.example.com/sso2", rotated))
	if err := s.RefreshDueMetadata(ctx); err != nil {
		t.Fatal(err)
	}
	got, _ := s.SSO(ctx, gatehouse.Operator, "acme")
	if got.Connection.SSOURL != "https://idp.example.com/sso" {
		t.Errorf("a refresh before the interval changed the connection")
	}
	s.Now = func() time.Time { return testNow.Add(admin.MetadataRefreshInterval) }
	if err := s.RefreshDueMetadata(ctx); err != nil {
		t.Fatal(err)
	}
	got, _ = s.SSO(ctx, gatehouse.Operator, "acme")
	if got.Connection.SSOURL != "https://idp.example.com/sso2" || got.Connection.Certificates[0] != rotated {
		t.Errorf("after the daily refresh: %s, certificate rotated = %v", got.Connection.SSOURL, got.Connection.Certificates[0] == rotated)
	}
}

func TestUnreachableMetadataURLIsExplainedOnceWithoutItsPassword(t *testing.T) {
	s, _ := MustService(t)
	MustEnterprise(t, s, "acme")
	_, err := s.PutSSO(context.Background(), gatehouse.Operator, "acme", admin.SSOInput{MetadataURL: "http://idp:s3cret@127.0.0.1:1/metadata"})
	wantField(t, err, "metadata_url")
	msg := gatehouse.ErrorMessage(err)
	if strings.Count(msg, "could not be fetched") != 1 || strings.Contains(msg, "s3cret") || !strings.Contains(msg, "127.0.0.1:1") {
		t.Errorf("refusal %q; want the URL without its password and the reason, said once", msg)
	}
}

func TestMetadataOverOneMiBIsRefused(t *testing.T) {
	ctx := context.Background()
	s, _ := MustService(t)
	MustEnterprise(t, s, "acme")
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, strings.Repeat(" ", 2<<20))
	}))
	defer srv.Close()
	_, err := s.PutSSO(ctx, gatehouse.Operator, "acme", admin.SSOInput{MetadataURL: srv.URL})
	wantCode(t, err, gatehouse.EINVALID)
	wantField(t, err, "metadata_url")
}

func TestDeleteSSOKeepsALocalAdmin(t *testing.T) {
	ctx := context.Background()
	s, st := MustService(t)
	acme := MustEnterprise(t, s, "acme")
	MustOrganization(t, s, "org-a", "acme")
	if _, err := s.PutSSO(ctx, gatehouse.Operator, "acme", manual(MustIdPCert(t, testNow))); err != nil {
		t.Fatal(err)
	}
	sam := MustSSOUser(t, st, acme.ID, "sam")
	owners := MustGroupNamed(t, s, "org-a", "Owners")
	if err := s.AddGroupMember(ctx, gatehouse.Operator, owners.ID, sam.Login); err != nil {
		t.Fatal(err)
	}
	err := s.DeleteSSO(ctx, gatehouse.Operator, "acme", false)
	wantCode(t, err, gatehouse.ECONFLICT)
	if err != nil && !strings.Contains(err.Error(), "org-a") {
		t.Errorf("refusal %q does not name the organization", err)
	}
	lena := MustLocalUser(t, s, "lena")
	if err := s.AddEnterpriseAdmin(ctx, gatehouse.Operator, "acme", lena.Login); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteSSO(ctx, gatehouse.Operator, "acme", false); err != nil {
		t.Errorf("with a local enterprise admin: %v", err)
	}
}

func TestDeleteSSOWithForce(t *testing.T) {
	ctx := context.Background()
	s, _ := MustService(t)
	MustEnterprise(t, s, "acme")
	MustOrganization(t, s, "org-a", "acme")
	if _, err := s.PutSSO(ctx, gatehouse.Operator, "acme", manual(MustIdPCert(t, testNow))); err != nil {
		t.Fatal(err)
	}
	wantCode(t, s.DeleteSSO(ctx, gatehouse.Operator, "acme", false), gatehouse.ECONFLICT)
	if err := s.DeleteSSO(ctx, gatehouse.Operator, "acme", true); err != nil {
		t.Fatal(err)
	}
	_, err := s.SSO(ctx, gatehouse.Operator, "acme")
	wantCode(t, err, gatehouse.ENOTFOUND)
}

func TestUnmatchedGroupsWarningGoesOnceTheGroupExists(t *testing.T) {
	ctx := context.Background()
	s, st := MustService(t)
	e := MustEnterprise(t, s, "acme")
	MustOrganization(t, s, "acme-web", "acme")
	if _, err := s.PutSSO(ctx, gatehouse.Operator, "acme", manual(MustIdPCert(t, testNow))); err != nil {
		t.Fatal(err)
	}
	err := st.Tx(ctx, func(tx store.Tx) error {
		return audit.Record(tx, testNow, gatehouse.Actor{Kind: gatehouse.ActorSAMLSync}, audit.Event{Type: gatehouse.AuditUserLogin,
			EnterpriseID: e.ID, Details: map[string]any{"unmatched_groups": []string{"developers", "Members", "Ops"}}})
	})
	if err != nil {
		t.Fatal(err)
	}
	MustGroup(t, s, "acme-web", "developers")
	view, err := s.SSO(ctx, gatehouse.Operator, "acme")
	if err != nil {
		t.Fatal(err)
	}
	want := `In recent logins, these IdP groups matched no group of any organization (names are case-sensitive): "Members", "Ops".`
	var got string
	for _, w := range view.Warnings {
		if w.Code == admin.WarnUnmatchedGroups {
			got = w.Message
		}
	}
	if got != want {
		t.Errorf("unmatched groups warning = %q; want %q", got, want)
	}
}
