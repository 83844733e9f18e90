// Package devidp is the development SAML 2.0 identity provider behind `gatehouse demo`:
// a newcomer signs in through a real SP-initiated SAML flow without setting up Okta or
// Entra ID.
//
// It is built on crewjam/saml's IdentityProvider. It answers only AuthnRequests of the
// service providers registered with [IdP.AddServiceProvider] or
// [IdP.AddServiceProviderMetadata], over the HTTP-Redirect binding, and never sends
// IdP-initiated Responses. It signs the Response and the Assertion with RSA-SHA256 and
// an RSA-2048 key generated in memory by [New], so every start has a new certificate.
// The NameID is the user's email (emailAddress format) and the attributes are named
// login, name, email and groups (multi-valued; left out when the user has none).
//
// It keeps no sessions: every AuthnRequest shows the login page, which lists the users
// with their passwords, so one can sign in as another user next time. It is not for
// production: passwords are plain text and anyone who can reach it can be anyone.
package devidp
