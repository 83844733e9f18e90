package main

import (
	"fmt"
	"html"
	"strings"
	"time"
)

// Algorithms of the signature templates.
const (
	rsaSHA256 = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"
	sha256    = "http://www.w3.org/2001/04/xmlenc#sha256"
	rsaSHA1   = "http://www.w3.org/2000/09/xmldsig#rsa-sha1"
	sha1      = "http://www.w3.org/2000/09/xmldsig#sha1"
)

// Status codes.
const (
	statusSuccess   = "urn:oasis:names:tc:SAML:2.0:status:Success"
	statusResponder = "urn:oasis:names:tc:SAML:2.0:status:Responder"
)

// A response is a SAML Response to render, as SimpleSAMLphp writes them.
type response struct {
	ID           string
	IssueInstant time.Time
	Destination  string // "" leaves the attribute out
	InResponseTo string // "" leaves the attribute out
	Issuer       string
	Status       string
	// SubStatus and StatusMessage detail a failure status.
	SubStatus, StatusMessage string
	// Sign adds a signature template covering Reference (the Response's ID
	// when empty).
	Sign      bool
	Reference string
	// SHA1 signs with RSA-SHA1 and SHA-1 digests.
	SHA1       bool
	Assertions []*assertion
}

// An assertion is one Assertion of a response.
type assertion struct {
	ID           string
	IssueInstant time.Time
	Issuer       string
	NameID       string
	// Recipient and InResponseTo are the bearer SubjectConfirmationData's.
	Recipient, InResponseTo string
	NotBefore, NotOnOrAfter time.Time
	Audience                string
	Attributes              []attribute
	Sign                    bool
	Reference               string
	SHA1                    bool
}

// An attribute is a name and its values.
type attribute struct {
	Name   string
	Values []string
}

// valid is the Response of a successful login of alice: the Response and
// its assertion both signed, issued 10 seconds before now, answering the
// pending request.
func valid() *response {
	issued := now.Add(-10 * time.Second)
	return &response{
		ID:           "_response-1",
		IssueInstant: issued,
		Destination:  acsURL,
		InResponseTo: requestID,
		Issuer:       idpEntityID,
		Status:       statusSuccess,
		Sign:         true,
		Assertions:   []*assertion{aliceAssertion("_assertion-1", issued)},
	}
}

// aliceAssertion is the signed assertion of alice, with ID id.
func aliceAssertion(id string, issued time.Time) *assertion {
	return &assertion{
		ID:           id,
		IssueInstant: issued,
		Issuer:       idpEntityID,
		NameID:       "alice@example.com",
		Recipient:    acsURL,
		InResponseTo: requestID,
		NotBefore:    issued.Add(-30 * time.Second),
		NotOnOrAfter: issued.Add(5 * time.Minute),
		Audience:     spEntityID,
		Attributes: []attribute{
			{"login", []string{"alice"}},
			{"name", []string{"Alice Liddell"}},
			{"email", []string{"alice@example.com"}},
			{"groups", []string{"Devs", "Ops"}},
		},
		Sign: true,
	}
}

// evilAssertion is the unsigned assertion an attacker writes: mallory's
// sign-in as the administrator.
func evilAssertion(id string) *assertion {
	a := aliceAssertion(id, now.Add(-10*time.Second))
	a.NameID = "admin@example.com"
	a.Attributes = []attribute{
		{"login", []string{"admin"}},
		{"name", []string{"Mallory"}},
		{"groups", []string{"Owners"}},
	}
	a.Sign = false
	return a
}

// instant formats t as SAML does.
func instant(t time.Time) string { return t.UTC().Format(time.RFC3339) }

func (r *response) render() string {
	var b strings.Builder
	fmt.Fprintf(&b, `<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="%s" Version="2.0" IssueInstant="%s"`,
		r.ID, instant(r.IssueInstant))
	if r.Destination != "" {
		fmt.Fprintf(&b, ` Destination="%s"`, html.EscapeString(r.Destination))
	}
	if r.InResponseTo != "" {
		fmt.Fprintf(&b, ` InResponseTo="%s"`, html.EscapeString(r.InResponseTo))
	}
	fmt.Fprintf(&b, ">\n  <saml:Issuer>%s</saml:Issuer>\n", html.EscapeString(r.Issuer))
	if r.Sign {
		b.WriteString(signatureTemplate(or(r.Reference, r.ID), r.SHA1, "  "))
	}
	b.WriteString("  <samlp:Status>\n")
	if r.SubStatus != "" {
		fmt.Fprintf(&b, "    <samlp:StatusCode Value=\"%s\"><samlp:StatusCode Value=\"%s\"/></samlp:StatusCode>\n", r.Status, r.SubStatus)
	} else {
		fmt.Fprintf(&b, "    <samlp:StatusCode Value=\"%s\"/>\n", r.Status)
	}
	if r.StatusMessage != "" {
		fmt.Fprintf(&b, "    <samlp:StatusMessage>%s</samlp:StatusMessage>\n", html.EscapeString(r.StatusMessage))
	}
	b.WriteString("  </samlp:Status>\n")
	for _, a := range r.Assertions {
		b.WriteString(a.render("  "))
	}
	b.WriteString("</samlp:Response>\n")
	return b.String()
}

// render writes the assertion, each line indented by indent.
func (a *assertion) render(indent string) string {
	var b strings.Builder
	line := func(format string, args ...any) {
		b.WriteString(indent)
		fmt.Fprintf(&b, format, args...)
		b.WriteString("\n")
	}
	line(`<saml:Assertion xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:xs="http://www.w3.org/2001/XMLSchema" ID="%s" Version="2.0" IssueInstant="%s">`,
		a.ID, instant(a.IssueInstant))
	line(`  <saml:Issuer>%s</saml:Issuer>`, html.EscapeString(a.Issuer))
	if a.Sign {
		b.WriteString(signatureTemplate(or(a.Reference, a.ID), a.SHA1, indent+"  "))
	}
	line(`  <saml:Subject>`)
	line(`    <saml:NameID SPNameQualifier="%s" Format="urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress">%s</saml:NameID>`, spEntityID, html.EscapeString(a.NameID))
	line(`    <saml:SubjectConfirmation Method="urn:oasis:names:tc:SAML:2.0:cm:bearer">`)
	scd := fmt.Sprintf(`      <saml:SubjectConfirmationData NotOnOrAfter="%s" Recipient="%s"`, instant(a.NotOnOrAfter), html.EscapeString(a.Recipient))
	if a.InResponseTo != "" {
		scd += fmt.Sprintf(` InResponseTo="%s"`, html.EscapeString(a.InResponseTo))
	}
	line(`%s/>`, scd)
	line(`    </saml:SubjectConfirmation>`)
	line(`  </saml:Subject>`)
	line(`  <saml:Conditions NotBefore="%s" NotOnOrAfter="%s">`, instant(a.NotBefore), instant(a.NotOnOrAfter))
	line(`    <saml:AudienceRestriction>`)
	line(`      <saml:Audience>%s</saml:Audience>`, html.EscapeString(a.Audience))
	line(`    </saml:AudienceRestriction>`)
	line(`  </saml:Conditions>`)
	line(`  <saml:AuthnStatement AuthnInstant="%s" SessionNotOnOrAfter="%s" SessionIndex="_session-%s">`,
		instant(a.IssueInstant), instant(a.IssueInstant.Add(8*time.Hour)), strings.TrimPrefix(a.ID, "_"))
	line(`    <saml:AuthnContext>`)
	line(`      <saml:AuthnContextClassRef>urn:oasis:names:tc:SAML:2.0:ac:classes:Password</saml:AuthnContextClassRef>`)
	line(`    </saml:AuthnContext>`)
	line(`  </saml:AuthnStatement>`)
	line(`  <saml:AttributeStatement>`)
	for _, at := range a.Attributes {
		line(`    <saml:Attribute Name="%s" NameFormat="urn:oasis:names:tc:SAML:2.0:attrname-format:basic">`, html.EscapeString(at.Name))
		for _, v := range at.Values {
			line(`      <saml:AttributeValue xsi:type="xs:string">%s</saml:AttributeValue>`, html.EscapeString(v))
		}
		line(`    </saml:Attribute>`)
	}
	line(`  </saml:AttributeStatement>`)
	line(`</saml:Assertion>`)
	return b.String()
}

// signatureTemplate is an enveloped signature for xmlsec1 to fill in,
// referencing the element with ID ref, with the signer's certificate in
// KeyInfo.
func signatureTemplate(ref string, useSHA1 bool, indent string) string {
	sig, digest := rsaSHA256, sha256
	if useSHA1 {
		sig, digest = rsaSHA1, sha1
	}
	t := `<ds:Signature xmlns:ds="http://www.w3.org/2000/09/xmldsig#">
  <ds:SignedInfo>
    <ds:CanonicalizationMethod Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"/>
    <ds:SignatureMethod Algorithm="` + sig + `"/>
    <ds:Reference URI="#` + ref + `">
      <ds:Transforms>
        <ds:Transform Algorithm="http://www.w3.org/2000/09/xmldsig#enveloped-signature"/>
        <ds:Transform Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"/>
      </ds:Transforms>
      <ds:DigestMethod Algorithm="` + digest + `"/>
      <ds:DigestValue/>
    </ds:Reference>
  </ds:SignedInfo>
  <ds:SignatureValue/>
  <ds:KeyInfo>
    <ds:X509Data/>
  </ds:KeyInfo>
</ds:Signature>`
	var b strings.Builder
	for l := range strings.SplitSeq(t, "\n") {
		b.WriteString(indent + l + "\n")
	}
	return b.String()
}

func or(a, b string) string {
	if a != "" {
		return a
	}
	return b
}
