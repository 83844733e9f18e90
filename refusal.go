package gatehouse

import "fmt"

// A RefusalReason names why an SSO login was refused. The set is closed:
// the login page explains each one, and the audit log and the list of
// recent SSO attempts record it.
type RefusalReason string

// Reasons a SAML response or an SSO login is refused.
const (
	RefusalMalformed        RefusalReason = "malformed"         // not base64, not XML, a DTD, too deep
	RefusalTooLarge         RefusalReason = "too_large"         // body over the limit
	RefusalUnsolicited      RefusalReason = "unsolicited"       // no InResponseTo: IdP-initiated
	RefusalUnknownRequest   RefusalReason = "unknown_request"   // InResponseTo names no pending request of this enterprise and browser
	RefusalWrongDestination RefusalReason = "wrong_destination" // Destination or Recipient is not this ACS URL
	RefusalWrongIssuer      RefusalReason = "wrong_issuer"      // Issuer is not the IdP entity ID
	RefusalWrongAudience    RefusalReason = "wrong_audience"    // Audience is not the SP entity ID
	RefusalUnsigned         RefusalReason = "unsigned"          // neither Response nor Assertion is signed
	RefusalBadSignature     RefusalReason = "bad_signature"     // a signature does not verify, or is misplaced
	RefusalUntrustedCert    RefusalReason = "untrusted_cert"    // signed by a certificate not configured
	RefusalCertNotValid     RefusalReason = "cert_not_valid"    // the signing certificate is expired or not yet valid
	RefusalWeakAlgorithm    RefusalReason = "weak_algorithm"    // SHA-1, or a key too large or too small
	RefusalExpired          RefusalReason = "expired"           // a NotOnOrAfter or the issue instant has passed
	RefusalNotYetValid      RefusalReason = "not_yet_valid"     // a NotBefore is in the future
	RefusalStatus           RefusalReason = "status"            // the IdP answered with a non-Success status
	RefusalAssertionCount   RefusalReason = "assertion_count"   // not exactly one assertion
	RefusalDecryption       RefusalReason = "decryption"        // cannot decrypt, or an encrypted assertion was required
	RefusalMissingAttribute RefusalReason = "missing_attribute" // the login or name attribute is absent
	RefusalGroupsOverage    RefusalReason = "groups_overage"    // Entra ID sent the groups overage claim
	RefusalReplayed         RefusalReason = "replayed"          // the assertion was used before
	RefusalIPNotAllowed     RefusalReason = "ip_not_allowed"    // the client address is not in the allow list
	RefusalUserDeactivated  RefusalReason = "user_deactivated"  // the account was deactivated by an admin
	RefusalNoConnection     RefusalReason = "no_connection"     // the enterprise has no SSO connection
	RefusalInvalid          RefusalReason = "invalid"           // any other check of SPEC §3.3
)

// A Refusal is a SAML response or SSO login that Gatehouse turned down. It
// is not a failure: the person is told Reason's explanation, and Detail
// says precisely what was seen (an attribute name, a status code, an
// address). Detail never holds secrets or whole messages.
type Refusal struct {
	Reason RefusalReason
	Detail string
}

// Error implements the error interface.
func (r *Refusal) Error() string {
	if r.Detail == "" {
		return fmt.Sprintf("sso refused: %s", r.Reason)
	}
	return fmt.Sprintf("sso refused: %s: %s", r.Reason, r.Detail)
}

// Refusef returns a *Refusal with a formatted detail.
func Refusef(reason RefusalReason, format string, args ...any) *Refusal {
	return &Refusal{Reason: reason, Detail: fmt.Sprintf(format, args...)}
}
