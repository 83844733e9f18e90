package saml

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/gatehouse-sso/gatehouse"
)

// idpMetadataXML returns IdP metadata whose IDPSSODescriptor holds body;
// %[1]s in body is the base64 DER of testdata/idp.crt.
func idpMetadataXML(tb testing.TB, body string) []byte {
	cert := base64.StdEncoding.EncodeToString(MustCertificate(tb, "idp").Raw)
	return fmt.Appendf(nil, `<?xml version="1.0"?>
<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" xmlns:ds="http://www.w3.org/2000/09/xmldsig#" entityID="https://idp.example/metadata" validUntil="2030-01-01T00:00:00Z">
  <md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">`+body+`
  </md:IDPSSODescriptor>
</md:EntityDescriptor>`, cert)
}

const (
	signingKey = `
    <md:KeyDescriptor use="signing"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>
      %[1]s
    </ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>`
	redirectSSO = `
    <md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="https://idp.example/sso/post"/>
    <md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="https://idp.example/sso/redirect"/>`
)

func TestParseMetadata(t *testing.T) {
	idpPEM := MustReadFixture(t, "idp.crt")
	tests := []struct {
		name    string
		doc     []byte
		want    *IdPMetadata
		wantErr string
	}{
		{
			name: "an EntityDescriptor with a signing key and a redirect endpoint",
			doc:  idpMetadataXML(t, signingKey+redirectSSO),
			want: &IdPMetadata{EntityID: testIdPEntity, SSOURL: "https://idp.example/sso/redirect", Certificates: []string{idpPEM}, ValidUntil: time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)},
		},
		{
			name: "a key without use, listed twice",
			doc:  idpMetadataXML(t, strings.ReplaceAll(signingKey, ` use="signing"`, "")+signingKey+redirectSSO),
			want: &IdPMetadata{EntityID: testIdPEntity, SSOURL: "https://idp.example/sso/redirect", Certificates: []string{idpPEM}, ValidUntil: time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)},
		},
		{
			name: "an EntitiesDescriptor holding the IdP after an SP",
			doc: []byte(`<EntitiesDescriptor xmlns="urn:oasis:names:tc:SAML:2.0:metadata" validUntil="2029-01-01T00:00:00Z">
  <EntityDescriptor entityID="https://sp.example"><SPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol"/></EntityDescriptor>
  ` + strings.TrimPrefix(string(idpMetadataXML(t, signingKey+redirectSSO)), `<?xml version="1.0"?>`) + `
</EntitiesDescriptor>`),
			want: &IdPMetadata{EntityID: testIdPEntity, SSOURL: "https://idp.example/sso/redirect", Certificates: []string{idpPEM}, ValidUntil: time.Date(2029, 1, 1, 0, 0, 0, 0, time.UTC)},
		},
		{name: "a DOCTYPE", doc: append([]byte(`<!DOCTYPE x [<!ENTITY a "b">]>`), idpMetadataXML(t, signingKey+redirectSSO)...), wantErr: "DOCTYPE"},
		{name: "not XML", doc: []byte("{}"), wantErr: "not usable XML"},
		{name: "SP metadata", doc: []byte(`<EntityDescriptor xmlns="urn:oasis:names:tc:SAML:2.0:metadata" entityID="x"><SPSSODescriptor protocolSupportEnumeration="p"/></EntityDescriptor>`), wantErr: "no IDPSSODescriptor"},
		{name: "no HTTP-Redirect endpoint", doc: idpMetadataXML(t, signingKey+strings.Split(redirectSSO, "\n")[1]), wantErr: "HTTP-Redirect"},
		{name: "an encryption key only", doc: idpMetadataXML(t, strings.ReplaceAll(signingKey, `"signing"`, `"encryption"`)+redirectSSO), wantErr: "no signing certificate"},
		{name: "a certificate that is not base64", doc: idpMetadataXML(t, strings.ReplaceAll(signingKey, "%[1]s", "not*base64")+redirectSSO), wantErr: "not base64"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseMetadata(tt.doc)
			if tt.wantErr != "" {
				var e *gatehouse.Error
				if !errors.As(err, &e) || e.Field != "metadata" || !strings.Contains(e.Message, tt.wantErr) {
					t.Errorf("ParseMetadata() = %v; want an EINVALID metadata error saying %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseMetadata() = %v", err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("ParseMetadata() mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestFetchMetadata(t *testing.T) {
	doc := idpMetadataXML(t, signingKey+redirectSSO)
	mux := http.NewServeMux()
	mux.HandleFunc("/ok", func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write(doc) })
	mux.HandleFunc("/missing", http.NotFound)
	mux.HandleFunc("/large", func(w http.ResponseWriter, _ *http.Request) {
		_, _ = w.Write([]byte(strings.Repeat(" ", MaxMetadataBytes+1)))
	})
	mux.HandleFunc("/large-declared", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Length", fmt.Sprint(MaxMetadataBytes+1))
	})
	mux.HandleFunc("/slow", func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-time.After(5 * time.Second):
		}
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	tests := []struct {
		name    string
		url     string
		client  *http.Client
		wantErr string
	}{
		{name: "a 200 answer", url: srv.URL + "/ok"},
		{name: "a 404 answer", url: srv.URL + "/missing", wantErr: "404 Not Found instead of 200 OK"},
		{name: "a body over 1 MiB", url: srv.URL + "/large", wantErr: "larger than"},
		{name: "a declared length over 1 MiB", url: srv.URL + "/large-declared", wantErr: "Gatehouse reads at most"},
		{name: "a server slower than the client's timeout", url: srv.URL + "/slow", client: &http.Client{Timeout: 50 * time.Millisecond}, wantErr: "could not be fetched"},
		{name: "an ftp URL", url: "ftp://idp.example/metadata", wantErr: "not an http or https URL"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := FetchMetadata(t.Context(), tt.client, tt.url)
			if tt.wantErr == "" {
				if err != nil || string(got) != string(doc) {
					t.Errorf("FetchMetadata() = %d bytes, %v; want the metadata", len(got), err)
				}
				return
			}
			var e *gatehouse.Error
			if !errors.As(err, &e) || e.Field != "metadata_url" || !strings.Contains(e.Message, tt.wantErr) {
				t.Errorf("FetchMetadata() = %v; want an EINVALID metadata_url error saying %q", err, tt.wantErr)
			}
		})
	}
}

func TestFetchMetadataReportsTheCallersCancellation(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() }))
	t.Cleanup(srv.Close)
	ctx, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
	defer cancel()
	_, err := FetchMetadata(ctx, nil, srv.URL)
	if gatehouse.ErrorCode(err) != gatehouse.EINTERNAL {
		t.Errorf("FetchMetadata(cancelled) = %v; want a failure, not a refusal", err)
	}
}
