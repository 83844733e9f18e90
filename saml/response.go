package saml

import (
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/crewjam/saml"
	dsig "github.com/russellhaering/goxmldsig"

	"github.com/gatehouse-sso/gatehouse"
)

// MaxResponseBytes is the largest Response, decoded, that ParseResponse
// reads (SPEC §3.3: the ACS body is capped at 256 KiB).
const MaxResponseBytes = 256 << 10

// maxDetail bounds the length of a Refusal's Detail, which may quote what
// the response says.
const maxDetail = 300

// Expect is what the caller expects of a Response: the pending request it
// answers and the time to check it at.
type Expect struct {
	// RequestID is the ID of the pending AuthnRequest of this enterprise and
	// browser, or "" when none was found.
	RequestID string
	// Now is the time the response is checked at.
	Now time.Time
}

// A verified Response is one that crewjam/saml accepted: the Response as
// signed (or as received, when only the assertion is signed) and its one
// assertion.
type verified struct {
	response  *saml.Response
	assertion *saml.Assertion
}

// ParseResponse verifies samlResponse, the base64 SAMLResponse form value
// posted to the ACS URL, and returns the Identity its assertion carries. It
// applies every check of SPEC §3.3 but the replay cache, which belongs to
// the caller (use Identity.AssertionID and NotOnOrAfter), in this order:
// base64 and size; the keys of the configured certificates; XML shape (no
// DTD, nesting, one root, a Response); at most one assertion;
// Destination; encryption as the connection needs it, and a signature
// where one is required (on the Response around an encrypted assertion,
// else on the Response or the assertion); then, through crewjam/saml,
// the signatures, Destination, InResponseTo, issue instants, Issuers,
// status, decryption, subject confirmation, conditions and audience; then
// the connection's clock skew; then the attributes.
//
// Every refusal is a *gatehouse.Refusal. Any other error is a failure.
func (s *ServiceProvider) ParseResponse(samlResponse string, exp Expect) (id *gatehouse.Identity, err error) {
	defer func() {
		// Never panic on input: a panic below is a bug, reported as a
		// failure so that the login fails closed and is logged.
		if p := recover(); p != nil {
			id, err = nil, fmt.Errorf("parse saml response: panic: %v", p)
		}
	}()
	if exp.Now.IsZero() {
		return nil, errors.New("parse saml response: Expect.Now is not set")
	}
	doc, err := decode(samlResponse)
	if err != nil {
		return nil, err
	}
	if s.weakKey != "" {
		// SPEC §3.3: RSA keys from 2048 to MaxRSAKeyBits bits, or ECDSA.
		return nil, gatehouse.Refusef(gatehouse.RefusalWeakAlgorithm, "%s", s.weakKey)
	}
	sh, err := scan(doc)
	if err != nil {
		// SPEC §3.3: well-formed XML without DTD or entities.
		return nil, gatehouse.Refusef(gatehouse.RefusalMalformed, "%v", err)
	}
	if err := s.checkShape(sh); err != nil {
		return nil, err
	}
	v, err := s.verify(doc, sh, exp)
	if err != nil {
		return nil, err
	}
	notOnOrAfter, err := s.checkTimes(v, exp.Now)
	if err != nil {
		return nil, err
	}
	return s.identity(v, notOnOrAfter)
}

// decode returns the XML of a base64 SAMLResponse form value.
func decode(samlResponse string) ([]byte, error) {
	// SPEC §3.3: refuse decoded XML over MaxResponseBytes. Base64 with line
	// breaks every 64 characters is the longest encoding IdPs use.
	if len(samlResponse) > base64.StdEncoding.EncodedLen(MaxResponseBytes)*65/64+2 {
		return nil, gatehouse.Refusef(gatehouse.RefusalTooLarge, "the SAMLResponse is %d bytes long; Gatehouse reads at most %d bytes of XML", len(samlResponse), MaxResponseBytes)
	}
	doc := make([]byte, base64.StdEncoding.DecodedLen(len(samlResponse)))
	n, err := base64.StdEncoding.Decode(doc, []byte(samlResponse))
	if err != nil {
		return nil, gatehouse.Refusef(gatehouse.RefusalMalformed, "the SAMLResponse is not base64: %v", err)
	}
	if n > MaxResponseBytes {
		return nil, gatehouse.Refusef(gatehouse.RefusalTooLarge, "the Response is %d bytes of XML; Gatehouse reads at most %d", n, MaxResponseBytes)
	}
	return doc[:n], nil
}

// checkShape applies the checks the byte scan makes possible before any
// parser reads the document, cheapest first.
func (s *ServiceProvider) checkShape(sh shape) error {
	switch n := sh.assertions + sh.encrypted; {
	case sh.root != "Response":
		// SAML bindings 3.5.4: the SAMLResponse of the HTTP-POST binding is
		// a <samlp:Response>.
		return gatehouse.Refusef(gatehouse.RefusalMalformed, "the document is a %s, not a SAML Response", clip(sh.root))
	case n > 1:
		// SPEC §3.3: exactly one assertion. crewjam/saml refuses several
		// only in an unsigned Response, and otherwise uses the first.
		return gatehouse.Refusef(gatehouse.RefusalAssertionCount, "the Response holds %d assertions; Gatehouse accepts exactly one", n)
	case sh.hasDestination && !strings.ContainsAny(sh.destination, "&\t\n\r") && sh.destination != s.acsURL:
		// SAML bindings 3.5.5.2: Destination is the ACS URL. Values with
		// entity references or whitespace, which the parser rewrites, are
		// left for crewjam/saml to compare as parsed.
		return s.wrongDestination(sh)
	case sh.encrypted > 0 && !sh.responseSigned:
		// SPEC §3.3: when the assertion is encrypted the Response must be
		// signed, whatever the cipher (crewjam/saml only demands it for
		// CBC), so that nothing unauthenticated is ever decrypted.
		return gatehouse.Refusef(gatehouse.RefusalUnsigned, "the assertion is encrypted but the Response is not signed; Gatehouse decrypts only assertions in a signed Response")
	case sh.encrypted > 0 && !s.canDecrypt:
		// SAML core 6.1: only the holder of the key decrypts.
		return gatehouse.Refusef(gatehouse.RefusalDecryption, "the assertion is encrypted but the connection has no SP key to decrypt it")
	case sh.assertions > 0 && s.wantEncrypted:
		// SPEC §2: "want encrypted assertions".
		return gatehouse.Refusef(gatehouse.RefusalDecryption, "the assertion is not encrypted; this connection requires encrypted assertions")
	case sh.assertions > 0 && !sh.responseSigned && !sh.assertionSigned:
		// SAML profiles 4.1.3.5: the assertion or the Response is signed.
		return gatehouse.Refusef(gatehouse.RefusalUnsigned, "neither the Response nor its Assertion is signed")
	}
	return nil
}

func (s *ServiceProvider) wrongDestination(sh shape) error {
	if !sh.hasDestination {
		return gatehouse.Refusef(gatehouse.RefusalWrongDestination, "the signed Response has no Destination; expected %q", s.acsURL)
	}
	return gatehouse.Refusef(gatehouse.RefusalWrongDestination, "Destination is %q; expected this ACS URL %q", clip(sh.destination), s.acsURL)
}

// verify runs crewjam/saml on doc with the clock frozen at exp.Now and
// with the InResponseTo check of SPEC §3.3, and returns what it accepted.
func (s *ServiceProvider) verify(doc []byte, sh shape, exp Expect) (*verified, error) {
	sp := *s.sp
	sp.Clock = dsig.NewFakeClockAt(exp.Now)
	var response *saml.Response
	// crewjam/saml calls ValidateRequestID with the Response as signed,
	// after its signature and Destination and before its Issuer and status
	// are checked.
	sp.ValidateRequestID = func(r saml.Response, _ []string) error {
		response = &r
		return checkInResponseTo(r.InResponseTo, exp.RequestID)
	}
	var possibleRequestIDs []string
	if exp.RequestID != "" {
		possibleRequestIDs = []string{exp.RequestID}
	}
	assertion, err := sp.ParseXMLResponse(doc, possibleRequestIDs, sp.AcsURL)
	if err != nil {
		return nil, s.refusal(err, sh, response)
	}
	if response == nil {
		return nil, errors.New("parse saml response: crewjam/saml accepted a response without checking its InResponseTo")
	}
	return &verified{response: response, assertion: assertion}, nil
}

// checkInResponseTo applies SPEC §3.3 to the Response's InResponseTo.
func checkInResponseTo(inResponseTo, requestID string) error {
	switch {
	case inResponseTo == "":
		// SPEC §3.3: a Response without InResponseTo is IdP-initiated.
		return gatehouse.Refusef(gatehouse.RefusalUnsolicited, "the Response has no InResponseTo: it was started at the IdP, not by Gatehouse")
	case requestID == "":
		return gatehouse.Refusef(gatehouse.RefusalUnknownRequest, "the Response answers request %q, but no login is pending in this browser", clip(inResponseTo))
	case inResponseTo != requestID:
		return gatehouse.Refusef(gatehouse.RefusalUnknownRequest, "the Response answers request %q, not the pending request %q", clip(inResponseTo), requestID)
	}
	return nil
}

// refusal turns an error of crewjam/saml into a *gatehouse.Refusal.
// response is the Response crewjam/saml read, if it got that far.
func (s *ServiceProvider) refusal(err error, sh shape, response *saml.Response) error {
	var r *gatehouse.Refusal
	if errors.As(err, &r) {
		return r
	}
	var invalid *saml.InvalidResponseError
	if !errors.As(err, &invalid) || invalid.PrivateErr == nil {
		return fmt.Errorf("parse saml response: %w", err)
	}
	detail := clip(invalid.PrivateErr.Error())
	var status saml.ErrBadStatus
	switch {
	case errors.As(err, &status):
		return statusRefusal(response, status)
	case errors.Is(err, saml.ErrInvalidSignature):
		return gatehouse.Refusef(signatureReason(err), "%s", detail)
	case errors.Is(err, saml.ErrDecryptionFailed):
		return gatehouse.Refusef(gatehouse.RefusalDecryption, "%s", detail)
	case errors.Is(err, saml.ErrDestinationMismatch):
		if (sh.hasDestination && sh.destination != s.acsURL) || (!sh.hasDestination && sh.responseSigned) {
			return s.wrongDestination(sh)
		}
		return gatehouse.Refusef(gatehouse.RefusalWrongDestination, "%s", detail)
	case errors.Is(err, saml.ErrIssuerMismatch):
		return issuerRefusal(response, s.sp.IDPMetadata.EntityID, detail)
	case errors.Is(err, saml.ErrAudienceMismatch):
		return gatehouse.Refusef(gatehouse.RefusalWrongAudience, "%s", detail)
	case errors.Is(err, saml.ErrRequestIDMismatch):
		return gatehouse.Refusef(gatehouse.RefusalUnknownRequest, "%s", detail)
	case errors.Is(err, saml.ErrExpired):
		return gatehouse.Refusef(gatehouse.RefusalExpired, "%s", detail)
	case errors.Is(err, saml.ErrNotYetValid):
		return gatehouse.Refusef(gatehouse.RefusalNotYetValid, "%s", detail)
	case errors.Is(err, saml.ErrMalformedMessage):
		return gatehouse.Refusef(gatehouse.RefusalMalformed, "%s", detail)
	case errors.Is(err, saml.ErrMissingElement) && sh.assertions+sh.encrypted == 0:
		return gatehouse.Refusef(gatehouse.RefusalAssertionCount, "the Response holds no assertion")
	}
	return gatehouse.Refusef(gatehouse.RefusalInvalid, "%s", detail)
}

// signatureReason classifies a signature that did not verify.
func signatureReason(err error) gatehouse.RefusalReason {
	switch {
	case errors.Is(err, saml.ErrUntrustedCertificate):
		return gatehouse.RefusalUntrustedCert
	case errors.Is(err, saml.ErrCertificateNotValidNow):
		return gatehouse.RefusalCertNotValid
	case errors.Is(err, saml.ErrUnsupported):
		// crewjam/saml's RejectSHA1Signatures is the one signature check
		// that matches ErrUnsupported.
		return gatehouse.RefusalWeakAlgorithm
	}
	return gatehouse.RefusalBadSignature
}

// statusRefusal says what non-Success status the IdP answered with: the
// top-level code, the second-level code and the message when present.
func statusRefusal(response *saml.Response, status saml.ErrBadStatus) error {
	if response == nil {
		return gatehouse.Refusef(gatehouse.RefusalStatus, "the IdP answered %s", clip(status.Status))
	}
	var b strings.Builder
	b.WriteString(response.Status.StatusCode.Value)
	if sub := response.Status.StatusCode.StatusCode; sub != nil {
		b.WriteString(" / ")
		b.WriteString(sub.Value)
	}
	if m := response.Status.StatusMessage; m != nil && strings.TrimSpace(m.Value) != "" {
		b.WriteString(": ")
		b.WriteString(strings.TrimSpace(m.Value))
	}
	return gatehouse.Refusef(gatehouse.RefusalStatus, "the IdP answered %s", clip(b.String()))
}

// issuerRefusal names the Issuer seen and the one expected.
func issuerRefusal(response *saml.Response, want, detail string) error {
	if response != nil && response.Issuer != nil && response.Issuer.Value != want {
		return gatehouse.Refusef(gatehouse.RefusalWrongIssuer, "the Response Issuer is %q; expected the IdP entity ID %q", clip(response.Issuer.Value), want)
	}
	return gatehouse.Refusef(gatehouse.RefusalWrongIssuer, "the Assertion Issuer is not the IdP entity ID %q (%s)", want, detail)
}

// clip makes s fit for a Refusal's Detail: valid UTF-8, one line, at most
// maxDetail bytes.
func clip(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	s = strings.Map(func(r rune) rune {
		if r < ' ' || r == 0x7f {
			return ' '
		}
		return r
	}, s)
	if len(s) <= maxDetail {
		return s
	}
	cut := maxDetail
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}
