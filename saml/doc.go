// Package saml makes Gatehouse the SAML 2.0 service provider of each
// enterprise, over github.com/crewjam/saml: one [ServiceProvider] per SSO
// connection builds SP-initiated AuthnRequests (HTTP-Redirect binding),
// serves SP metadata, and turns a posted Response into a verified
// [gatehouse.Identity] or a [*gatehouse.Refusal] (SPEC §3.3 and §3.4). It
// also reads IdP metadata ([ParseMetadata], [FetchMetadata]), checks IdP
// certificates ([ValidateCertificates], [CertificateWarnings]) and makes an
// enterprise's own key pair ([NewSPKeyPair]).
//
// It owns every check of a Response that needs only the bytes and what the
// caller expects: the caller passes the pending request ID and the time in
// an [Expect]. It keeps no state and knows nothing of users, sessions or
// storage: pending requests, the replay cache (shared by all nodes), the
// browser binding, the IP allow list, JIT provisioning and group sync
// belong to login and provision. It never logs; refusals carry a Detail for
// the person and the log, and any other error is a failure.
//
// What crewjam/saml does not enforce, it adds: the bytes are scanned once
// before any parser reads them (no DTD, bounded nesting, one root), and that
// scan counts the Response's assertions, so that a signed Response with
// several is refused (crewjam/saml would use the first); an encrypted
// assertion is decrypted only inside a signed Response, whatever the
// cipher; a Response without InResponseTo is refused as IdP-initiated; the
// connection's clock skew, tighter than crewjam/saml's global 180 s, is
// applied to the accepted assertion; and IdP keys must be RSA of 2048 to
// [MaxRSAKeyBits] bits or ECDSA. crewjam/saml's package variables are never
// changed: the clock is set per call on a copy of its ServiceProvider.
package saml
