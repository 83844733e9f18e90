package web

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"net/http"
	"net/netip"
	"strings"
	"time"

	"github.com/gatehouse-sso/gatehouse"
)

// Cookie names.
const (
	sessionCookie = "gh_session" // the session secret
	bindingCookie = "gh_sso"     // binds a pending SSO login to the browser that started it
	csrfCookie    = "gh_csrf"    // double-submit token of the forms shown before login
)

// secure reports whether cookies must be Secure: Gatehouse is served over https.
func (s *Server) secure() bool { return s.cfg.BaseURL.Scheme == "https" }

// setCookie sets an HttpOnly cookie on path /. maxAge 0 makes a browser
// session cookie; a negative maxAge deletes it.
func (s *Server) setCookie(w http.ResponseWriter, name, value string, maxAge time.Duration, sameSite http.SameSite) {
	c := &http.Cookie{Name: name, Value: value, Path: "/", HttpOnly: true, Secure: s.secure(), SameSite: sameSite}
	if maxAge != 0 {
		c.MaxAge = int(maxAge / time.Second)
	}
	if maxAge < 0 {
		c.MaxAge = -1
	}
	http.SetCookie(w, c)
}

// bindingSameSite is the SameSite mode of the binding cookie. The IdP
// posts the Response cross-site, and a Lax cookie is not sent on a
// cross-site POST, so over https it is None (which requires Secure). Over
// plain http, None is refused by browsers; Lax then works only when the IdP
// is on the same site, as with the development IdP.
func (s *Server) bindingSameSite() http.SameSite {
	if s.secure() {
		return http.SameSiteNoneMode
	}
	return http.SameSiteLaxMode
}

// cookieValue returns the value of the named cookie of r, or "".
func cookieValue(r *http.Request, name string) string {
	c, err := r.Cookie(name)
	if err != nil {
		return ""
	}
	return c.Value
}

// randomToken returns 256 random bits, URL-safe.
func randomToken() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// loginCSRF returns the double-submit token of the pre-login forms,
// setting its cookie when the browser has none.
func (s *Server) loginCSRF(w http.ResponseWriter, r *http.Request) string {
	if v := cookieValue(r, csrfCookie); len(v) >= 32 {
		return v
	}
	v := randomToken()
	s.setCookie(w, csrfCookie, v, 0, http.SameSiteStrictMode)
	return v
}

// checkLoginCSRF refuses a pre-login form whose token does not match its cookie.
func checkLoginCSRF(r *http.Request) error {
	c, f := cookieValue(r, csrfCookie), r.PostFormValue("csrf")
	if c == "" || subtle.ConstantTimeCompare([]byte(c), []byte(f)) != 1 {
		return gatehouse.Errorf(gatehouse.EFORBIDDEN, "This form has expired. Go back, reload the page and try again.")
	}
	return nil
}

// clientAddr returns the address of the client of r: the peer, unless the
// peer is a trusted proxy. Then X-Forwarded-For is read from the right,
// where the proxies nearest to Gatehouse appended the addresses they
// received from, and the first address that is not a trusted proxy is the
// client; whatever lies to its left the client itself may have written.
// An entry that is not an address gives the invalid Addr, which no IP
// allow list admits. The SSO logins and the tokens both use it, so the IP
// allow list sees one address.
func (s *Server) clientAddr(r *http.Request) netip.Addr {
	ap, err := netip.ParseAddrPort(r.RemoteAddr)
	if err != nil {
		return netip.Addr{}
	}
	client := ap.Addr().Unmap()
	hops := r.Header.Values("X-Forwarded-For")
	for i := len(hops) - 1; i >= 0 && s.trustedProxy(client); i-- {
		entries := strings.Split(hops[i], ",")
		for j := len(entries) - 1; j >= 0 && s.trustedProxy(client); j-- {
			if client = forwardedAddr(entries[j]); !client.IsValid() {
				return client
			}
		}
	}
	return client
}

// trustedProxy reports whether addr is one of the trusted proxies.
func (s *Server) trustedProxy(addr netip.Addr) bool {
	for _, p := range s.cfg.TrustedProxies {
		if p.Contains(addr) {
			return true
		}
	}
	return false
}

// forwardedAddr parses one X-Forwarded-For entry: an address, or an
// address and port as some proxies write it ("203.0.113.7:4711",
// "[2001:db8::1]:4711"). Anything else is the invalid Addr.
func forwardedAddr(entry string) netip.Addr {
	entry = strings.TrimSpace(entry)
	if a, err := netip.ParseAddr(entry); err == nil {
		return a.Unmap()
	}
	if ap, err := netip.ParseAddrPort(entry); err == nil {
		return ap.Addr().Unmap()
	}
	return netip.Addr{}
}
