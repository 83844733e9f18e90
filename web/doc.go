// Package web is Gatehouse's HTTP side: one http.Handler, [Server], that
// serves the REST API under /api/v1 and its openapi.json (both built from
// one route table), the console's server-rendered pages (console*.go, the
// html/template pages of templates/ and the stylesheet and script of
// static/, under a CSP that allows no inline code), the login pages, the
// SAML endpoints, health, readiness and metrics.
//
// Every error goes through one renderer (error.go): a *gatehouse.Error as
// the API's JSON or as the error page, with the status its code maps to;
// anything else is logged and shown as "Internal error." A refused console
// form is shown again on its own page, with its message and the values
// typed; a refused SSO login gets a page that explains its reason
// (ssoerror.go).
//
// Every request body is capped (maxRequestBody, lower for the ACS and the
// local login); every console form carries the session's CSRF token, and
// the forms shown before login a double-submit token. The endpoints anyone
// may call before logging in are rate-limited (ratelimit.go).
//
// It holds no rule of the domain: handlers decode the request, call the
// services (admin, login, token) and render their answer. It never imports
// store, sqlstore or saml.
package web
