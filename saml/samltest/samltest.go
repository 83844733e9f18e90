// Package samltest issues SAML Responses as an identity provider would, for
// the tests of package saml and of the packages that use it, and for
// end-to-end tests; it also reads saml's attack catalogue. It signs and
// encrypts for real (XML Signature, XML Encryption with RSA-OAEP), so what
// it makes goes through every check of saml.ServiceProvider.ParseResponse.
// It is not an IdP: it authenticates nobody and checks no AuthnRequest.
package samltest

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"fmt"
	"math/big"
	"time"

	"github.com/beevik/etree"
	"github.com/crewjam/saml"
	"github.com/crewjam/saml/xmlenc"
	dsig "github.com/russellhaering/goxmldsig"
)

// An IdP signs Responses with its key.
type IdP struct {
	// EntityID is the Issuer of its Responses and assertions.
	EntityID string
	// Key signs; Certificate is its certificate, the one the SP trusts.
	Key         crypto.Signer
	Certificate *x509.Certificate
	// SignatureMethod is the XML signature algorithm, such as
	// dsig.RSASHA256SignatureMethod; "" means SHA-256 for the key's type.
	SignatureMethod string
}

// NewIdP returns an IdP with a new RSA-2048 key and a self-signed
// certificate valid for ten years from now.
func NewIdP(entityID string, now time.Time) (*IdP, error) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, fmt.Errorf("generate idp key: %w", err)
	}
	template := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: entityID},
		NotBefore:    now.Add(-time.Hour),
		NotAfter:     now.Add(10 * 365 * 24 * time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
	}
	der, err := x509.CreateCertificate(rand.Reader, template, template, &key.PublicKey, key)
	if err != nil {
		return nil, fmt.Errorf("create idp certificate: %w", err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, fmt.Errorf("parse idp certificate: %w", err)
	}
	return &IdP{EntityID: entityID, Key: key, Certificate: cert}, nil
}

// Sign says which elements of a Response an IdP signs.
type Sign int

// Elements to sign; combine them with |. The zero Sign signs nothing.
const (
	SignAssertion Sign = 1 << iota
	SignResponse
)

// An Attribute is a SAML attribute with its values, in order.
type Attribute struct {
	Name         string
	FriendlyName string
	Values       []string
}

// A Login is what one Response says about one sign-in.
type Login struct {
	// SPEntityID is the Audience; ACSURL the Destination and Recipient.
	SPEntityID string
	ACSURL     string
	// InResponseTo is the AuthnRequest ID; "" makes an IdP-initiated
	// Response.
	InResponseTo string
	NameID       string
	Attributes   []Attribute
	// Now is the IssueInstant and NotBefore; the assertion is valid for
	// Lifetime (5 minutes if zero) from then.
	Now      time.Time
	Lifetime time.Duration
	Sign     Sign
	// EncryptTo, when set, encrypts the assertion to this certificate with
	// RSA-OAEP and BlockCipher (AES-256-GCM if nil).
	EncryptTo   *x509.Certificate
	BlockCipher xmlenc.BlockCipher
	// Status is the top-level status code, "" meaning Success; SubStatus
	// and StatusMessage, when set, are the second-level code and the
	// message.
	Status        string
	SubStatus     string
	StatusMessage string
	// Edit, when set, changes the assertion before it is signed.
	Edit func(*saml.Assertion)
}

// Response returns the XML of a Response carrying one assertion, signed
// and encrypted as l says.
func (idp *IdP) Response(l Login) ([]byte, error) {
	el, err := idp.AssertionElement(l)
	if err != nil {
		return nil, err
	}
	return idp.ResponseXML(l, el)
}

// Encode returns doc as the base64 SAMLResponse form value.
func Encode(doc []byte) string { return base64.StdEncoding.EncodeToString(doc) }

// Assertion returns the unsigned assertion of l.
func (idp *IdP) Assertion(l Login) *saml.Assertion {
	lifetime := l.Lifetime
	if lifetime == 0 {
		lifetime = 5 * time.Minute
	}
	now := l.Now.UTC()
	a := &saml.Assertion{
		ID:           newID(),
		IssueInstant: now,
		Version:      "2.0",
		Issuer:       saml.Issuer{Format: "urn:oasis:names:tc:SAML:2.0:nameid-format:entity", Value: idp.EntityID},
		Subject: &saml.Subject{
			NameID: &saml.NameID{Format: string(saml.UnspecifiedNameIDFormat), Value: l.NameID},
			SubjectConfirmations: []saml.SubjectConfirmation{{
				Method: "urn:oasis:names:tc:SAML:2.0:cm:bearer",
				SubjectConfirmationData: &saml.SubjectConfirmationData{
					InResponseTo: l.InResponseTo,
					NotOnOrAfter: now.Add(lifetime),
					Recipient:    l.ACSURL,
				},
			}},
		},
		Conditions: &saml.Conditions{
			NotBefore:            now,
			NotOnOrAfter:         now.Add(lifetime),
			AudienceRestrictions: []saml.AudienceRestriction{{Audience: saml.Audience{Value: l.SPEntityID}}},
		},
		AuthnStatements: []saml.AuthnStatement{{
			AuthnInstant: now,
			SessionIndex: newID(),
			AuthnContext: saml.AuthnContext{AuthnContextClassRef: &saml.AuthnContextClassRef{
				Value: "urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport",
			}},
		}},
	}
	if len(l.Attributes) > 0 {
		statement := saml.AttributeStatement{}
		for _, attr := range l.Attributes {
			sa := saml.Attribute{Name: attr.Name, FriendlyName: attr.FriendlyName, NameFormat: "urn:oasis:names:tc:SAML:2.0:attrname-format:unspecified"}
			for _, v := range attr.Values {
				sa.Values = append(sa.Values, saml.AttributeValue{Type: "xs:string", Value: v})
			}
			statement.Attributes = append(statement.Attributes, sa)
		}
		a.AttributeStatements = []saml.AttributeStatement{statement}
	}
	if l.Edit != nil {
		l.Edit(a)
	}
	return a
}

// AssertionElement returns the assertion of l as an element to put in a
// Response: signed if l.Sign has SignAssertion, then encrypted (an
// EncryptedAssertion) if l.EncryptTo is set.
func (idp *IdP) AssertionElement(l Login) (*etree.Element, error) {
	a := idp.Assertion(l)
	el, err := a.CanonicalElement()
	if err != nil {
		return nil, err
	}
	if l.Sign&SignAssertion != 0 {
		if a.Signature, err = idp.signature(el); err != nil {
			return nil, err
		}
		if el, err = a.CanonicalElement(); err != nil {
			return nil, err
		}
	}
	if l.EncryptTo == nil {
		return el, nil
	}
	return encrypt(el, l.EncryptTo, l.BlockCipher)
}

// ResponseXML wraps assertions (elements from AssertionElement, any number)
// in the Response of l, signed if l.Sign has SignResponse.
func (idp *IdP) ResponseXML(l Login, assertions ...*etree.Element) ([]byte, error) {
	status := l.Status
	if status == "" {
		status = saml.StatusSuccess
	}
	r := &saml.Response{
		ID:           newID(),
		InResponseTo: l.InResponseTo,
		Version:      "2.0",
		IssueInstant: l.Now.UTC(),
		Destination:  l.ACSURL,
		Issuer:       &saml.Issuer{Format: "urn:oasis:names:tc:SAML:2.0:nameid-format:entity", Value: idp.EntityID},
		Status:       saml.Status{StatusCode: saml.StatusCode{Value: status}},
	}
	if l.SubStatus != "" {
		r.Status.StatusCode.StatusCode = &saml.StatusCode{Value: l.SubStatus}
	}
	if l.StatusMessage != "" {
		r.Status.StatusMessage = &saml.StatusMessage{Value: l.StatusMessage}
	}
	build := func() *etree.Element {
		el := r.Element()
		for _, a := range assertions {
			el.AddChild(a)
		}
		return el
	}
	el := build()
	if l.Sign&SignResponse != 0 {
		sig, err := idp.signature(el)
		if err != nil {
			return nil, err
		}
		r.Signature = sig
		el = build()
	}
	doc := etree.NewDocument()
	doc.SetRoot(el)
	return doc.WriteToBytes()
}

// signature returns the enveloped signature of el, to be placed after its
// Issuer.
func (idp *IdP) signature(el *etree.Element) (*etree.Element, error) {
	ctx, err := dsig.NewSigningContext(idp.Key, [][]byte{idp.Certificate.Raw})
	if err != nil {
		return nil, err
	}
	ctx.Canonicalizer = dsig.MakeC14N10ExclusiveCanonicalizerWithPrefixList("")
	method := idp.SignatureMethod
	if method == "" {
		method = dsig.RSASHA256SignatureMethod
		if _, ok := idp.Key.Public().(*rsa.PublicKey); !ok {
			method = dsig.ECDSASHA256SignatureMethod
		}
	}
	if err := ctx.SetSignatureMethod(method); err != nil {
		return nil, err
	}
	signed, err := ctx.SignEnveloped(el)
	if err != nil {
		return nil, err
	}
	children := signed.ChildElements()
	return children[len(children)-1], nil
}

// encrypt returns el encrypted to cert in an EncryptedAssertion.
func encrypt(el *etree.Element, cert *x509.Certificate, cipher xmlenc.BlockCipher) (*etree.Element, error) {
	doc := etree.NewDocument()
	doc.SetRoot(el.Copy())
	plaintext, err := doc.WriteToBytes()
	if err != nil {
		return nil, err
	}
	e := xmlenc.OAEP()
	e.BlockCipher = xmlenc.AES256GCM
	if cipher != nil {
		e.BlockCipher = cipher
	}
	data, err := e.Encrypt(cert, plaintext, nil)
	if err != nil {
		return nil, fmt.Errorf("encrypt assertion: %w", err)
	}
	data.CreateAttr("Type", "http://www.w3.org/2001/04/xmlenc#Element")
	out := etree.NewElement("saml:EncryptedAssertion")
	out.CreateAttr("xmlns:saml", "urn:oasis:names:tc:SAML:2.0:assertion")
	out.AddChild(data)
	return out, nil
}

// newID returns a random xs:ID (an NCName).
func newID() string { return "id-" + rand.Text() }
