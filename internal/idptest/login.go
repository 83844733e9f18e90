package idptest

import (
	"html"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"testing"
)

// An ACSPost is what the IdP's auto-submitting answer page posts to the service
// provider's assertion consumer service (the HTTP-POST binding).
type ACSPost struct {
	URL          string
	SAMLResponse string // base64, as posted
	RelayState   string
}

// Form returns the form fields of p, ready for http.Client.PostForm(p.URL, p.Form()).
func (p ACSPost) Form() url.Values {
	form := url.Values{"SAMLResponse": {p.SAMLResponse}}
	if p.RelayState != "" {
		form.Set("RelayState", p.RelayState)
	}
	return form
}

// LogIn does what a browser does to sign username in: it follows startURL (an SP
// endpoint that redirects to the IdP, or an AuthnRequest URL of the IdP) to the login
// form, submits it, and returns the form that the IdP's answer page would post to the
// SP. The client needs a cookie jar (without one SimpleSAMLphp answers with its
// no_cookie page); when the client already holds an IdP session, the login form is
// skipped, as in a browser. LogIn fails tb if the IdP does not answer with a Response.
func (idp *IdP) LogIn(tb testing.TB, client *http.Client, startURL, username, password string) ACSPost {
	tb.Helper()
	if client.Jar == nil {
		tb.Fatal("idptest: LogIn needs an http.Client with a cookie jar")
	}
	page, pageURL := getPage(tb, client, http.MethodGet, startURL, nil)
	if fields := hiddenInputs(page); fields.Has("AuthState") {
		fields.Set("username", username)
		fields.Set("password", password)
		page, pageURL = getPage(tb, client, http.MethodPost, formAction(tb, page, pageURL), fields)
		if hiddenInputs(page).Has("AuthState") {
			tb.Fatalf("idptest: SimpleSAMLphp refused the password of %q", username)
		}
	}
	fields := hiddenInputs(page)
	if !fields.Has("SAMLResponse") {
		tb.Fatalf("idptest: %s answered no SAML Response for %q:\n%s", pageURL, username, page)
	}
	return ACSPost{
		URL:          formAction(tb, page, pageURL),
		SAMLResponse: fields.Get("SAMLResponse"),
		RelayState:   fields.Get("RelayState"),
	}
}

// formAction returns the absolute URL the first form of page posts to.
func formAction(tb testing.TB, page string, pageURL *url.URL) string {
	tb.Helper()
	m := formActionRE.FindStringSubmatch(page)
	if m == nil {
		tb.Fatalf("idptest: %s: no form action in the page:\n%s", pageURL, page)
	}
	action, err := pageURL.Parse(html.UnescapeString(m[1]))
	if err != nil {
		tb.Fatalf("idptest: %s: form action: %v", pageURL, err)
	}
	return action.String()
}

// getPage sends a GET, or a POST of form, following redirects, and returns the body of
// the final 200 OK page and its URL.
func getPage(tb testing.TB, client *http.Client, method, target string, form url.Values) (string, *url.URL) {
	tb.Helper()
	var resp *http.Response
	var err error
	if method == http.MethodPost {
		resp, err = client.PostForm(target, form)
	} else {
		resp, err = client.Get(target)
	}
	if err != nil {
		tb.Fatalf("idptest: %s %s: %v", method, target, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		tb.Fatalf("idptest: read %s: %v", resp.Request.URL, err)
	}
	if resp.StatusCode != http.StatusOK {
		tb.Fatalf("idptest: %s %s: %s\n%s", method, resp.Request.URL, resp.Status, body)
	}
	return string(body), resp.Request.URL
}

var (
	inputRE      = regexp.MustCompile(`(?is)<input\b[^>]*>`)
	attrRE       = regexp.MustCompile(`(?is)\b([a-z-]+)\s*=\s*"([^"]*)"`)
	formActionRE = regexp.MustCompile(`(?is)<form\b[^>]*\baction\s*=\s*"([^"]*)"`)
)

// hiddenInputs returns the name and value of each hidden input of an HTML page.
// SimpleSAMLphp's pages are regular enough for regular expressions; this is no parser.
func hiddenInputs(page string) url.Values {
	fields := url.Values{}
	for _, tag := range inputRE.FindAllString(page, -1) {
		attrs := map[string]string{}
		for _, m := range attrRE.FindAllStringSubmatch(tag, -1) {
			attrs[m[1]] = html.UnescapeString(m[2])
		}
		if attrs["type"] == "hidden" && attrs["name"] != "" {
			fields.Add(attrs["name"], attrs["value"])
		}
	}
	return fields
}
