package saml

import (
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/beevik/etree"
	"github.com/crewjam/saml"
	"github.com/crewjam/saml/xmlenc"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	dsig "github.com/russellhaering/goxmldsig"

	"github.com/gatehouse-sso/gatehouse"
	"github.com/gatehouse-sso/gatehouse/saml/samltest"
)

// A responseCase builds a connection and a Response from the defaults of
// testConnection and testLogin, changed as the case says.
type responseCase struct {
	name string
	// conn changes the connection.
	conn func(t *testing.T, c *gatehouse.SSOConnection)
	// signer is the fixture that signs the response; "idp" if empty.
	signer string
	// login changes the sign-in.
	login func(l *samltest.Login)
	// response makes the SAMLResponse form value instead of MustResponse.
	response func(t *testing.T, idp *samltest.IdP, l samltest.Login) string
	// exp changes what ParseResponse expects.
	exp func(e *Expect)
}

// run returns what ParseResponse says of the case.
func (tc responseCase) run(t *testing.T) (*gatehouse.Identity, error) {
	t.Helper()
	conn := testConnection(t)
	if tc.conn != nil {
		tc.conn(t, conn)
	}
	signer := tc.signer
	if signer == "" {
		signer = "idp"
	}
	idp := MustIdP(t, signer)
	l := testLogin()
	if tc.login != nil {
		tc.login(&l)
	}
	var form string
	if tc.response != nil {
		form = tc.response(t, idp, l)
	} else {
		form = MustResponse(t, idp, l)
	}
	exp := Expect{RequestID: testRequestID, Now: testNow}
	if tc.exp != nil {
		tc.exp(&exp)
	}
	return MustNew(t, conn).ParseResponse(form, exp)
}

// editXML returns the base64 form of the Response of l with edit applied
// to its XML after signing.
func editXML(edit func(doc string) string) func(t *testing.T, idp *samltest.IdP, l samltest.Login) string {
	return func(t *testing.T, idp *samltest.IdP, l samltest.Login) string {
		doc, err := idp.Response(l)
		if err != nil {
			t.Fatal(err)
		}
		return samltest.Encode([]byte(edit(string(doc))))
	}
}

// twoAssertions returns a Response with two assertions, each signed as l
// says, the Response too.
func twoAssertions(t *testing.T, idp *samltest.IdP, l samltest.Login) string {
	first, err := idp.AssertionElement(l)
	if err != nil {
		t.Fatal(err)
	}
	l.NameID = "mallory@example.com"
	second, err := idp.AssertionElement(l)
	if err != nil {
		t.Fatal(err)
	}
	doc, err := idp.ResponseXML(l, first, second)
	if err != nil {
		t.Fatal(err)
	}
	return samltest.Encode(doc)
}

// withoutAttribute drops the attribute name from the sign-in.
func withoutAttribute(name string) func(l *samltest.Login) {
	return func(l *samltest.Login) {
		var kept []samltest.Attribute
		for _, a := range l.Attributes {
			if a.Name != name {
				kept = append(kept, a)
			}
		}
		l.Attributes = kept
	}
}

// setAttribute sets the values of the attribute name, adding it if needed.
func setAttribute(name string, values ...string) func(l *samltest.Login) {
	return func(l *samltest.Login) {
		withoutAttribute(name)(l)
		l.Attributes = append(l.Attributes, samltest.Attribute{Name: name, Values: values})
	}
}

func trust(fixtures ...string) func(t *testing.T, c *gatehouse.SSOConnection) {
	return func(t *testing.T, c *gatehouse.SSOConnection) {
		c.Certificates = nil
		for _, f := range fixtures {
			c.Certificates = append(c.Certificates, MustReadFixture(t, f+".crt"))
		}
	}
}

func TestParseResponseRefuses(t *testing.T) {
	tests := []struct {
		responseCase
		want       gatehouse.RefusalReason
		wantDetail string
	}{
		{
			responseCase: responseCase{name: "a form value that is not base64", response: func(*testing.T, *samltest.IdP, samltest.Login) string { return "%%%" }},
			want:         gatehouse.RefusalMalformed, wantDetail: "not base64",
		},
		{
			responseCase: responseCase{name: "base64 that is not XML", response: func(*testing.T, *samltest.IdP, samltest.Login) string { return samltest.Encode([]byte("hello")) }},
			want:         gatehouse.RefusalMalformed,
		},
		{
			responseCase: responseCase{name: "a body over 256 KiB", response: func(*testing.T, *samltest.IdP, samltest.Login) string {
				return samltest.Encode([]byte(strings.Repeat(" ", MaxResponseBytes+1)))
			}},
			want: gatehouse.RefusalTooLarge,
		},
		{
			responseCase: responseCase{name: "a DOCTYPE before a valid Response", response: editXML(func(doc string) string {
				return `<!DOCTYPE r [<!ENTITY e "x">]>` + doc
			})},
			want: gatehouse.RefusalMalformed, wantDetail: "DOCTYPE",
		},
		{
			responseCase: responseCase{name: "elements nested deeper than the bound", response: func(*testing.T, *samltest.IdP, samltest.Login) string {
				return samltest.Encode([]byte(strings.Repeat("<a>", maxDepth+1) + strings.Repeat("</a>", maxDepth+1)))
			}},
			want: gatehouse.RefusalMalformed, wantDetail: "nested",
		},
		{
			responseCase: responseCase{name: "a second root element after the Response", response: editXML(func(doc string) string { return doc + "<x/>" })},
			want:         gatehouse.RefusalMalformed,
		},
		{
			responseCase: responseCase{name: "an Assertion posted without its Response", response: func(t *testing.T, idp *samltest.IdP, l samltest.Login) string {
				el, err := idp.AssertionElement(l)
				if err != nil {
					t.Fatal(err)
				}
				doc := etree.NewDocument()
				doc.SetRoot(el)
				b, _ := doc.WriteToBytes()
				return samltest.Encode(b)
			}},
			want: gatehouse.RefusalMalformed, wantDetail: "not a SAML Response",
		},
		{
			responseCase: responseCase{name: "two signed assertions in a signed Response", login: func(l *samltest.Login) { l.Sign = samltest.SignResponse | samltest.SignAssertion }, response: twoAssertions},
			want:         gatehouse.RefusalAssertionCount, wantDetail: "2 assertions",
		},
		{
			responseCase: responseCase{name: "two assertions in an unsigned Response", response: twoAssertions},
			want:         gatehouse.RefusalAssertionCount,
		},
		{
			responseCase: responseCase{name: "a Success Response without assertion", login: func(l *samltest.Login) { l.Sign = samltest.SignResponse }, response: func(t *testing.T, idp *samltest.IdP, l samltest.Login) string {
				doc, err := idp.ResponseXML(l)
				if err != nil {
					t.Fatal(err)
				}
				return samltest.Encode(doc)
			}},
			want: gatehouse.RefusalAssertionCount, wantDetail: "no assertion",
		},
		{
			responseCase: responseCase{name: "a Destination that is another ACS URL", login: func(l *samltest.Login) { l.ACSURL = testBaseURL + "/saml/other/acs" }},
			want:         gatehouse.RefusalWrongDestination, wantDetail: `Destination is "https://gatehouse.example/saml/other/acs"; expected this ACS URL "https://gatehouse.example/saml/acme/acs"`,
		},
		{
			responseCase: responseCase{name: "a signed Response without Destination", login: func(l *samltest.Login) {
				l.Sign = samltest.SignResponse
				l.ACSURL = ""
				l.Edit = func(a *saml.Assertion) {
					a.Subject.SubjectConfirmations[0].SubjectConfirmationData.Recipient = testACSURL
				}
			}},
			want: gatehouse.RefusalWrongDestination, wantDetail: "no Destination",
		},
		{
			responseCase: responseCase{name: "a Recipient that is another ACS URL", login: func(l *samltest.Login) {
				l.Edit = func(a *saml.Assertion) {
					a.Subject.SubjectConfirmations[0].SubjectConfirmationData.Recipient = "https://evil.example/acs"
				}
			}},
			want: gatehouse.RefusalWrongDestination, wantDetail: "Recipient",
		},
		{
			responseCase: responseCase{name: "an IdP-initiated Response", login: func(l *samltest.Login) { l.InResponseTo = "" }},
			want:         gatehouse.RefusalUnsolicited, wantDetail: "no InResponseTo",
		},
		{
			responseCase: responseCase{name: "an IdP-initiated Response when no request is pending", login: func(l *samltest.Login) { l.InResponseTo = "" }, exp: func(e *Expect) { e.RequestID = "" }},
			want:         gatehouse.RefusalUnsolicited,
		},
		{
			responseCase: responseCase{name: "a Response to another request", login: func(l *samltest.Login) { l.InResponseTo = "id-request-2" }},
			want:         gatehouse.RefusalUnknownRequest, wantDetail: `"id-request-2", not the pending request "id-request-1"`,
		},
		{
			responseCase: responseCase{name: "a Response when no request is pending", exp: func(e *Expect) { e.RequestID = "" }},
			want:         gatehouse.RefusalUnknownRequest, wantDetail: "no login is pending",
		},
		{
			responseCase: responseCase{name: "an assertion answering another request than its Response", login: func(l *samltest.Login) {
				l.Edit = func(a *saml.Assertion) {
					a.Subject.SubjectConfirmations[0].SubjectConfirmationData.InResponseTo = "id-request-2"
				}
			}},
			want: gatehouse.RefusalUnknownRequest,
		},
		{
			responseCase: responseCase{name: "a Response Issuer that is another IdP", conn: func(_ *testing.T, c *gatehouse.SSOConnection) { c.IdPEntityID = "https://other-idp.example" }},
			want:         gatehouse.RefusalWrongIssuer, wantDetail: `Response Issuer is "https://idp.example/metadata"`,
		},
		{
			responseCase: responseCase{name: "an Assertion Issuer that is another IdP", login: func(l *samltest.Login) {
				l.Edit = func(a *saml.Assertion) { a.Issuer.Value = "https://other-idp.example" }
			}},
			want: gatehouse.RefusalWrongIssuer, wantDetail: "Assertion Issuer",
		},
		{
			responseCase: responseCase{name: "an Audience that is another SP", login: func(l *samltest.Login) { l.SPEntityID = testBaseURL + "/saml/other" }},
			want:         gatehouse.RefusalWrongAudience,
		},
		{
			responseCase: responseCase{name: "an assertion without AudienceRestriction", login: func(l *samltest.Login) {
				l.Edit = func(a *saml.Assertion) { a.Conditions.AudienceRestrictions = nil }
			}},
			want: gatehouse.RefusalWrongAudience,
		},
		{
			responseCase: responseCase{name: "neither Response nor Assertion signed", login: func(l *samltest.Login) { l.Sign = 0 }},
			want:         gatehouse.RefusalUnsigned, wantDetail: "neither",
		},
		{
			responseCase: responseCase{name: "an attribute changed after signing", response: editXML(func(doc string) string { return strings.Replace(doc, "Alice Liddell", "Mallory", 1) })},
			want:         gatehouse.RefusalBadSignature,
		},
		{
			responseCase: responseCase{name: "a signed assertion moved into an unsigned one (wrapping)", response: editXML(func(doc string) string {
				// The signed assertion is kept, inside the forged one's
				// Advice, where no signature check reaches it.
				start, end := strings.Index(doc, "<saml:Assertion"), strings.LastIndex(doc, "</saml:Assertion>")+len("</saml:Assertion>")
				signed := doc[start:end]
				forged := strings.Replace(signed, "alice@example.com", "mallory@example.com", 1)
				sigStart, sigEnd := strings.Index(forged, "<ds:Signature"), strings.Index(forged, "</ds:Signature>")+len("</ds:Signature>")
				forged = forged[:sigStart] + forged[sigEnd:]
				forged = strings.Replace(forged, "</saml:Assertion>", "<saml:Advice>"+signed+"</saml:Advice></saml:Assertion>", 1)
				return doc[:start] + forged + doc[end:]
			})},
			want: gatehouse.RefusalUnsigned,
		},
		{
			responseCase: responseCase{name: "a signature by a certificate not configured", signer: "idp-other"},
			want:         gatehouse.RefusalUntrustedCert,
		},
		{
			responseCase: responseCase{name: "a signature by an expired certificate", signer: "idp-expired", conn: trust("idp-expired")},
			want:         gatehouse.RefusalCertNotValid,
		},
		{
			responseCase: responseCase{name: "a SHA-1 signature by default", login: func(l *samltest.Login) {}, response: func(t *testing.T, idp *samltest.IdP, l samltest.Login) string {
				idp.SignatureMethod = dsig.RSASHA1SignatureMethod
				return MustResponse(t, idp, l)
			}},
			want: gatehouse.RefusalWeakAlgorithm, wantDetail: "SHA-1",
		},
		{
			responseCase: responseCase{name: "a configured 1024-bit RSA certificate", signer: "idp-rsa1024", conn: trust("idp-rsa1024")},
			want:         gatehouse.RefusalWeakAlgorithm, wantDetail: "1024-bit RSA key",
		},
		{
			responseCase: responseCase{name: "a non-Success status with its second-level code and message", login: func(l *samltest.Login) {
				l.Status, l.SubStatus, l.StatusMessage = saml.StatusResponder, "urn:oasis:names:tc:SAML:2.0:status:RequestDenied", "User is not assigned to this application"
			}, response: func(t *testing.T, idp *samltest.IdP, l samltest.Login) string {
				doc, err := idp.ResponseXML(l)
				if err != nil {
					t.Fatal(err)
				}
				return samltest.Encode(doc)
			}},
			want:       gatehouse.RefusalStatus,
			wantDetail: "urn:oasis:names:tc:SAML:2.0:status:Responder / urn:oasis:names:tc:SAML:2.0:status:RequestDenied: User is not assigned to this application",
		},
		{
			responseCase: responseCase{name: "a Response posted ten minutes after it was issued", exp: func(e *Expect) { e.Now = testNow.Add(10 * time.Minute) }},
			want:         gatehouse.RefusalExpired,
		},
		{
			responseCase: responseCase{name: "a Response issued beyond the clock skew ahead", login: func(l *samltest.Login) { l.Now = testNow.Add(2 * time.Minute) }},
			want:         gatehouse.RefusalNotYetValid, wantDetail: "allowed clock skew of 1m30s",
		},
		{
			responseCase: responseCase{name: "an encrypted assertion in an unsigned Response", login: func(l *samltest.Login) {
				l.EncryptTo = MustCertificate(t, "sp")
			}},
			want: gatehouse.RefusalUnsigned, wantDetail: "encrypted",
		},
		{
			responseCase: responseCase{name: "an assertion encrypted to another SP", login: func(l *samltest.Login) {
				l.Sign = samltest.SignResponse
				l.EncryptTo = MustCertificate(t, "sp-other")
			}},
			want: gatehouse.RefusalDecryption,
		},
		{
			responseCase: responseCase{name: "a plaintext assertion when encrypted ones are wanted", conn: func(_ *testing.T, c *gatehouse.SSOConnection) { c.WantEncryptedAssertions = true }},
			want:         gatehouse.RefusalDecryption, wantDetail: "requires encrypted assertions",
		},
		{
			responseCase: responseCase{name: "no login attribute", login: withoutAttribute("login")},
			want:         gatehouse.RefusalMissingAttribute, wantDetail: "login",
		},
		{
			responseCase: responseCase{name: "no name attribute, named as configured", conn: func(_ *testing.T, c *gatehouse.SSOConnection) { c.Attributes = gatehouse.EntraAttributes }, login: func(l *samltest.Login) {
				setAttribute(gatehouse.EntraAttributes.Login, "alice@contoso.example")(l)
			}},
			want: gatehouse.RefusalMissingAttribute, wantDetail: gatehouse.EntraAttributes.Name,
		},
		{
			responseCase: responseCase{name: "an empty login value", login: setAttribute("login", "")},
			want:         gatehouse.RefusalMissingAttribute, wantDetail: "login",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			id, err := tt.run(t)
			var refusal *gatehouse.Refusal
			if !errors.As(err, &refusal) {
				t.Fatalf("ParseResponse() = %+v, %v; want a %s refusal", id, err, tt.want)
			}
			if refusal.Reason != tt.want || !strings.Contains(refusal.Detail, tt.wantDetail) {
				t.Errorf("ParseResponse() = %v; want %s containing %q", err, tt.want, tt.wantDetail)
			}
			if tt.want == gatehouse.RefusalMissingAttribute && refusal.Detail != tt.wantDetail {
				t.Errorf("ParseResponse() Detail = %q; want the attribute name %q alone", refusal.Detail, tt.wantDetail)
			}
		})
	}
}

// aliceIdentity is the Identity of testLogin at testNow.
func aliceIdentity() *gatehouse.Identity {
	return &gatehouse.Identity{
		Login:        "alice",
		Name:         "Alice Liddell",
		Email:        "alice@example.com",
		Groups:       []string{"Devs", "Ops"},
		NameID:       "alice@example.com",
		InResponseTo: testRequestID,
		// The Response was issued 10 s before testNow, and crewjam/saml
		// accepts it for 90 s (MaxIssueDelay); one more second is margin.
		NotOnOrAfter: testNow.Add(81 * time.Second),
		Attributes: map[string][]string{
			"login":  {"alice"},
			"name":   {"Alice Liddell"},
			"email":  {"alice@example.com"},
			"groups": {"Devs", "Ops"},
		},
	}
}

func TestParseResponseAccepts(t *testing.T) {
	tests := []struct {
		responseCase
		want func(id *gatehouse.Identity)
	}{
		{responseCase: responseCase{name: "an assertion signed in an unsigned Response"}},
		{responseCase: responseCase{name: "a signed Response with an unsigned assertion", login: func(l *samltest.Login) { l.Sign = samltest.SignResponse }}},
		{responseCase: responseCase{name: "a signed Response with a signed assertion", login: func(l *samltest.Login) { l.Sign = samltest.SignResponse | samltest.SignAssertion }}},
		{responseCase: responseCase{name: "an AES-GCM encrypted assertion in a signed Response", login: func(l *samltest.Login) {
			l.Sign, l.EncryptTo, l.BlockCipher = samltest.SignResponse, MustCertificate(t, "sp"), xmlenc.AES256GCM
		}}},
		{responseCase: responseCase{name: "an AES-CBC encrypted signed assertion in a signed Response", login: func(l *samltest.Login) {
			l.Sign, l.EncryptTo, l.BlockCipher = samltest.SignResponse|samltest.SignAssertion, MustCertificate(t, "sp"), xmlenc.AES128CBC
		}}},
		{responseCase: responseCase{name: "an encrypted assertion when encrypted ones are wanted", conn: func(_ *testing.T, c *gatehouse.SSOConnection) { c.WantEncryptedAssertions = true }, login: func(l *samltest.Login) {
			l.Sign, l.EncryptTo = samltest.SignResponse, MustCertificate(t, "sp")
		}}},
		{responseCase: responseCase{name: "an ECDSA signature", signer: "idp-ecdsa", conn: trust("idp-ecdsa")}},
		{responseCase: responseCase{name: "a signature by the second of two certificates (rollover)", conn: trust("idp-other", "idp")}},
		{responseCase: responseCase{name: "a SHA-1 signature when the connection allows it", conn: func(_ *testing.T, c *gatehouse.SSOConnection) { c.AllowSHA1 = true }, response: func(t *testing.T, idp *samltest.IdP, l samltest.Login) string {
			idp.SignatureMethod = dsig.RSASHA1SignatureMethod
			return MustResponse(t, idp, l)
		}}},
		{
			responseCase: responseCase{name: "groups deduplicated in order, empty values dropped", login: setAttribute("groups", "Devs", "Ops", "Devs", "", "ops")},
			want: func(id *gatehouse.Identity) {
				id.Groups = []string{"Devs", "Ops", "ops"}
				id.Attributes["groups"] = []string{"Devs", "Ops", "Devs", "", "ops"}
			},
		},
		{
			responseCase: responseCase{name: "no groups attribute", login: withoutAttribute("groups")},
			want: func(id *gatehouse.Identity) {
				id.Groups = nil
				delete(id.Attributes, "groups")
			},
		},
		{
			responseCase: responseCase{name: "a groups attribute without values", login: setAttribute("groups")},
			want: func(id *gatehouse.Identity) {
				id.Groups = nil
				id.Attributes["groups"] = []string{}
			},
		},
		{
			responseCase: responseCase{name: "the Entra groups overage claim instead of groups", login: func(l *samltest.Login) {
				withoutAttribute("groups")(l)
				setAttribute(gatehouse.GroupsOverageClaim, "https://graph.windows.net/tenant/users/alice/getMemberObjects")(l)
			}},
			want: func(id *gatehouse.Identity) {
				id.Groups, id.GroupsOverage = nil, true
				delete(id.Attributes, "groups")
				id.Attributes[gatehouse.GroupsOverageClaim] = []string{"https://graph.windows.net/tenant/users/alice/getMemberObjects"}
			},
		},
		{
			responseCase: responseCase{name: "no email attribute", login: withoutAttribute("email")},
			want: func(id *gatehouse.Identity) {
				id.Email = ""
				delete(id.Attributes, "email")
			},
		},
		{
			responseCase: responseCase{name: "the login attribute matched by FriendlyName", login: func(l *samltest.Login) {
				withoutAttribute("login")(l)
				l.Attributes = append(l.Attributes, samltest.Attribute{Name: "urn:oid:0.9.2342.19200300.100.1.1", FriendlyName: "login", Values: []string{"alice"}})
			}},
			want: func(id *gatehouse.Identity) {
				delete(id.Attributes, "login")
				id.Attributes["urn:oid:0.9.2342.19200300.100.1.1"] = []string{"alice"}
			},
		},
		{
			responseCase: responseCase{name: "a login attribute by Name preferred to another's FriendlyName", login: func(l *samltest.Login) {
				l.Attributes = append([]samltest.Attribute{{Name: "uid", FriendlyName: "login", Values: []string{"mallory"}}}, l.Attributes...)
			}},
			want: func(id *gatehouse.Identity) { id.Attributes["uid"] = []string{"mallory"} },
		},
		{
			responseCase: responseCase{name: "a NameID and login split by a comment after signing (CVE-2017-11427)", login: func(l *samltest.Login) {
				l.NameID = "alice@example.com.evil.example"
				setAttribute("login", "alice.evil")(l)
			}, response: editXML(func(doc string) string {
				doc = strings.Replace(doc, "alice@example.com.evil.example<", "alice@example.com<!---->.evil.example<", 1)
				return strings.Replace(doc, ">alice.evil<", ">alice<!-- -->.evil<", 1)
			})},
			want: func(id *gatehouse.Identity) {
				id.NameID, id.Login = "alice@example.com.evil.example", "alice.evil"
				id.Attributes["login"] = []string{"alice.evil"}
			},
		},
		{
			responseCase: responseCase{name: "a Response with base64 line breaks", response: func(t *testing.T, idp *samltest.IdP, l samltest.Login) string {
				doc, err := idp.Response(l)
				if err != nil {
					t.Fatal(err)
				}
				return wrap(base64.StdEncoding.EncodeToString(doc), 76)
			}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.run(t)
			if err != nil {
				t.Fatalf("ParseResponse() = %v; want an Identity", err)
			}
			want := aliceIdentity()
			if tt.want != nil {
				tt.want(want)
			}
			if diff := cmp.Diff(want, got, cmpopts.IgnoreFields(gatehouse.Identity{}, "AssertionID")); diff != "" {
				t.Errorf("ParseResponse() mismatch (-want +got):\n%s", diff)
			}
			if !strings.HasPrefix(got.AssertionID, "id-") {
				t.Errorf("ParseResponse() AssertionID = %q; want the assertion's ID", got.AssertionID)
			}
		})
	}
}

func wrap(s string, width int) string {
	var b strings.Builder
	for len(s) > width {
		b.WriteString(s[:width] + "\r\n")
		s = s[width:]
	}
	b.WriteString(s)
	return b.String()
}

// TestParseResponseClockSkew checks that the connection's skew, not
// crewjam/saml's 180 s, bounds every time check.
func TestParseResponseClockSkew(t *testing.T) {
	tests := []struct {
		name  string
		skew  time.Duration
		login func(l *samltest.Login)
		want  gatehouse.RefusalReason
	}{
		{
			name: "an assertion expired 60 s ago within a 90 s skew",
			skew: 90 * time.Second,
			// Issued 80 s ago for 20 s.
			login: func(l *samltest.Login) { l.Now, l.Lifetime = testNow.Add(-80*time.Second), 20*time.Second },
		},
		{
			name:  "an assertion expired 60 s ago beyond a 30 s skew",
			skew:  30 * time.Second,
			login: func(l *samltest.Login) { l.Now, l.Lifetime = testNow.Add(-80*time.Second), 20*time.Second },
			want:  gatehouse.RefusalExpired,
		},
		{
			name:  "an assertion expired 60 s ago with no skew",
			skew:  0,
			login: func(l *samltest.Login) { l.Now, l.Lifetime = testNow.Add(-80*time.Second), 20*time.Second },
			want:  gatehouse.RefusalExpired,
		},
		{
			name:  "an assertion valid 60 s from now within a 90 s skew",
			skew:  90 * time.Second,
			login: func(l *samltest.Login) { l.Now = testNow.Add(60 * time.Second) },
		},
		{
			name:  "an assertion valid 60 s from now beyond a 30 s skew",
			skew:  30 * time.Second,
			login: func(l *samltest.Login) { l.Now = testNow.Add(60 * time.Second) },
			want:  gatehouse.RefusalNotYetValid,
		},
		{
			name: "a SubjectConfirmationData expired 60 s ago beyond a 30 s skew",
			skew: 30 * time.Second,
			login: func(l *samltest.Login) {
				l.Edit = func(a *saml.Assertion) {
					a.Subject.SubjectConfirmations[0].SubjectConfirmationData.NotOnOrAfter = testNow.Add(-60 * time.Second)
				}
			},
			want: gatehouse.RefusalExpired,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tc := responseCase{
				conn:  func(_ *testing.T, c *gatehouse.SSOConnection) { c.ClockSkew = tt.skew },
				login: tt.login,
			}
			_, err := tc.run(t)
			if got := refusalReason(err); got != tt.want || (tt.want == "" && err != nil) {
				t.Errorf("ParseResponse() = %v; want reason %q", err, tt.want)
			}
		})
	}
}

func TestParseResponseNeverReturnsTheTruncatedNameID(t *testing.T) {
	// The classic comment injection: the IdP signed a NameID the attacker
	// registered; a comment that canonicalization drops splits it.
	tc := responseCase{
		login: func(l *samltest.Login) { l.NameID = "user@evil.com.example.com" },
		response: editXML(func(doc string) string {
			return strings.Replace(doc, "user@evil.com.example.com", "user@evil.com<!---->.example.com", 1)
		}),
	}
	id, err := tc.run(t)
	switch {
	case err != nil && refusalReason(err) == "":
		t.Errorf("ParseResponse() = %v; want an Identity or a refusal", err)
	case err == nil && id.NameID != "user@evil.com.example.com":
		t.Errorf("ParseResponse() NameID = %q; want the whole text or a refusal", id.NameID)
	}
}

// TestParseResponseConcurrently shares one ServiceProvider between
// goroutines with different clocks and requests, as the ACS does; run it
// with -race.
func TestParseResponseConcurrently(t *testing.T) {
	sp := MustNew(t, testConnection(t))
	idp := MustIdP(t, "idp")
	const n = 8
	forms := make([]string, n)
	for i := range forms {
		l := testLogin()
		l.InResponseTo = fmt.Sprintf("id-request-%d", i)
		l.Now = testNow.Add(time.Duration(i) * time.Hour)
		forms[i] = MustResponse(t, idp, l)
	}
	errs := make(chan error, n)
	for i := range forms {
		go func() {
			exp := Expect{RequestID: fmt.Sprintf("id-request-%d", i), Now: testNow.Add(time.Duration(i)*time.Hour + 10*time.Second)}
			id, err := sp.ParseResponse(forms[i], exp)
			if err == nil && id.InResponseTo != exp.RequestID {
				err = fmt.Errorf("InResponseTo = %q; want %q", id.InResponseTo, exp.RequestID)
			}
			errs <- err
		}()
	}
	for range n {
		if err := <-errs; err != nil {
			t.Errorf("ParseResponse() = %v", err)
		}
	}
}

func TestParseResponseNeedsTheTime(t *testing.T) {
	_, err := MustNew(t, testConnection(t)).ParseResponse(MustResponse(t, MustIdP(t, "idp"), testLogin()), Expect{RequestID: testRequestID})
	if err == nil || refusalReason(err) != "" {
		t.Errorf("ParseResponse(no Now) = %v; want a failure", err)
	}
}
