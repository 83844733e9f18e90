package web

import (
	"errors"
	"net/http"
	"strings"

	"github.com/gatehouse-sso/gatehouse"
)

// ssoErrorPage is the data of the page that explains a refused SSO login.
type ssoErrorPage struct {
	Reason string
	refusalExplanation
	LoginURL string
	// Hint, when set, names a frequent cause at length.
	Hint string
}

// LoginField is the SSO login URL with a copy button, which the page of an
// IdP-initiated login offers.
func (p ssoErrorPage) LoginField() copyField {
	return copyField{ID: "login-url", Label: "Your enterprise's SSO login URL", Value: p.LoginURL}
}

// A refusalExplanation tells a person about a refused SSO login.
type refusalExplanation struct {
	Heading string
	// Explain says what went wrong; Fix what to do about it.
	Explain, Fix string
	// Detail is the refusal's detail when Explain does not already say it.
	Detail string
}

// explainRefusal explains ref with its refusalText, or with fallback for
// a reason that has none.
func explainRefusal(ref *gatehouse.Refusal, fallback [3]string) refusalExplanation {
	text, ok := refusalText[ref.Reason]
	if !ok {
		text = fallback
	}
	x := refusalExplanation{Heading: text[0], Explain: strings.Replace(text[1], "%s", ref.Detail, 1), Fix: text[2]}
	if !strings.Contains(text[1], "%s") {
		x.Detail = ref.Detail
	}
	return x
}

// refusalText is what a person is told about each refusal: a heading, what
// went wrong, and what to do. %s in Explain is replaced by the detail.
var refusalText = map[gatehouse.RefusalReason][3]string{
	gatehouse.RefusalUnsolicited: {"Start your login from Gatehouse",
		"Your identity provider sent a sign-in that Gatehouse did not ask for (an IdP-initiated login). Gatehouse accepts only logins started from its own login page.",
		"Use your enterprise's SSO login URL below, or ask your administrator to point the application tile at it."},
	gatehouse.RefusalWrongDestination: {"This sign-in was sent to the wrong address",
		"The identity provider addressed its response to another URL than this enterprise's ACS URL.",
		"Your administrator should check the sign-on URL configured in the identity provider."},
	gatehouse.RefusalMissingAttribute: {"Your identity provider left out a required attribute",
		"Attribute '%s' is missing from the SAML response.",
		"Your administrator should add it to the attributes the identity provider sends, or change the attribute name in Gatehouse's SSO settings."},
	gatehouse.RefusalGroupsOverage: {"You are in too many groups for a SAML sign-in",
		"Microsoft Entra ID sends at most 150 groups in a SAML token. You are in more, so it sent a link to query your groups instead, which Gatehouse does not follow. Your group memberships in Gatehouse were left as they were.",
		"Your administrator should assign only the relevant groups to the Gatehouse application in Entra ID (\"Groups assigned to the application\"), and emit cloud-only group display names."},
	gatehouse.RefusalUnknownRequest: {"This login cannot be completed",
		"The response does not answer a login in progress in this browser: %s.",
		"Start again from the login page."},
	gatehouse.RefusalReplayed: {"This sign-in was already used",
		"The identity provider's response was already used to log in, and each response is accepted only once.",
		"Start again from the login page."},
	gatehouse.RefusalIPNotAllowed: {"Your network is not allowed",
		"Your enterprise allows logins only from its own networks, and your address, %s, is not one of them.",
		"Connect through your company network or VPN, or ask your administrator to update the IP allow list."},
	gatehouse.RefusalUserDeactivated: {"Your account is deactivated",
		"An administrator of your enterprise deactivated your Gatehouse account.",
		"Ask your enterprise administrator to reactivate it."},
	gatehouse.RefusalNoConnection: {"SSO is not set up for this enterprise",
		"This enterprise has no SSO connection yet, so nobody can log in with SSO.",
		"Ask your enterprise administrator to set up SSO, or log in with a local account."},
	gatehouse.RefusalExpired: {"This sign-in has expired",
		"The identity provider's response is no longer valid (%s). This happens when a login takes too long, or when the clocks of the identity provider and Gatehouse disagree.",
		"Start again from the login page. If it keeps happening, your administrator should check the clocks."},
	gatehouse.RefusalNotYetValid: {"This sign-in is not valid yet",
		"The identity provider's response is dated in the future (%s): the clocks of the identity provider and Gatehouse disagree.",
		"Your administrator should check the clocks, or raise the allowed clock skew."},
	gatehouse.RefusalStatus: {"Your identity provider refused the sign-in",
		"The identity provider answered with an error: %s.",
		"Check with your identity provider's administrator that you are assigned to the Gatehouse application."},
	gatehouse.RefusalTooLarge: {"The sign-in was too large",
		"The response posted by your browser is larger than Gatehouse accepts (%s).",
		"Your administrator should reduce the attributes the identity provider sends."},
}

// refusalStatus is the HTTP status of a refused SSO login.
func refusalStatus(r gatehouse.RefusalReason) int {
	switch r {
	case gatehouse.RefusalMalformed:
		return http.StatusBadRequest
	case gatehouse.RefusalTooLarge:
		return http.StatusRequestEntityTooLarge
	case gatehouse.RefusalNoConnection:
		return http.StatusNotFound
	}
	return http.StatusForbidden
}

// renderSSOError explains err, from an SSO login to the enterprise with
// key. A refusal gets its page; anything else the common error page.
func (s *Server) renderSSOError(w http.ResponseWriter, r *http.Request, key string, err error) {
	var ref *gatehouse.Refusal
	if !errors.As(err, &ref) {
		s.renderError(w, r, err)
		return
	}
	s.logger.InfoContext(r.Context(), "sso login refused", "enterprise", key, "reason", ref.Reason, "detail", ref.Detail)
	p := ssoErrorPage{Reason: string(ref.Reason), LoginURL: s.cfg.Admin.LoginURL(key),
		refusalExplanation: explainRefusal(ref, [3]string{"Your sign-in was refused",
			"Gatehouse could not verify the response from your identity provider: %s.",
			"Try again from the login page. If it keeps failing, give your administrator the request ID below: the reason is in the SSO attempts of the enterprise."})}
	if ref.Reason == gatehouse.RefusalWrongDestination {
		p.Hint = "Several sign-on URLs configured in the IdP? An identity provider application can list more than one Assertion Consumer Service (Reply) URL, and may send the response to the wrong one. Keep only this enterprise's ACS URL, " +
			s.cfg.BaseURL.String() + "/saml/" + key + "/acs, as the default."
	}
	s.renderTitled(w, r, refusalStatus(ref.Reason), "sso_error", p.Heading, p)
}
