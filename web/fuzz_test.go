package web_test

import (
	"context"
	"encoding/base64"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gatehouse-sso/gatehouse/store"
	"github.com/gatehouse-sso/gatehouse/web"
)

// FuzzACS posts any XML as the SAMLResponse to the ACS of a real server on
// SQLite, with a login pending in this browser for the request the
// catalogue answers: the whole ACS input path, from the form to the
// database. Whatever the input, the answer is a refusal page without a
// session, or a login (a mutation the signatures do not cover) of a user
// the trusted key signed, never an internal error. Seeds: every case of
// the attack catalogue. Fuzz it with
//
//	go test -run='^$' -fuzz=FuzzACS -fuzztime=5m -fuzzminimizetime=100x ./web/
//
// (every execution writes to SQLite, so the default minimization, 60 s
// per new input, would take most of the time).
func FuzzACS(f *testing.F) {
	cat := MustCatalogue(f)
	for _, c := range cat.Cases {
		if c.Pad == 0 {
			doc, err := cat.XML(c)
			if err != nil {
				f.Fatal(err)
			}
			f.Add(doc)
		}
	}
	w := MustCatalogueWorld(f, cat, filepath.Join(f.TempDir(), "gatehouse.db"), cat.Cases[0])
	// No rate limit: the fuzzer posts thousands of responses a second.
	node := w.Node(f, func(c *web.Config) { c.Limits = &web.Limits{} })
	w.MustPendingRequest(f, w.acme, cat.RequestID, relayState, browserSecret)
	f.Fuzz(func(t *testing.T, doc []byte) {
		body := url.Values{"SAMLResponse": {base64.StdEncoding.EncodeToString(doc)}, "RelayState": {relayState}}.Encode()
		req := httptest.NewRequest(http.MethodPost, cat.BaseURL+"/saml/"+cat.Enterprise+"/acs", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.AddCookie(&http.Cookie{Name: "gh_sso", Value: browserSecret})
		rec := httptest.NewRecorder()
		node.ServeHTTP(rec, req)
		switch {
		case rec.Code == http.StatusSeeOther:
			if sessionCookie(rec) == "" {
				t.Errorf("POST ACS = 303 without a session")
			}
			w.checkSignedUsers(t)
			// The login consumed the pending request: record it again.
			w.MustPendingRequest(t, w.acme, cat.RequestID, relayState, browserSecret)
		case rec.Code >= 500 || dataReason(rec.Body.String()) == "":
			t.Errorf("POST ACS = %d without a refusal page: %.300s", rec.Code, rec.Body)
		case sessionCookie(rec) != "":
			t.Errorf("POST ACS = %d with a session", rec.Code)
		}
	})
}

// checkSignedUsers fails t if acme has a user whose identity key the
// catalogue's trusted key never signed (the attacker's assertions say
// admin).
func (w *catalogueWorld) checkSignedUsers(t *testing.T) {
	t.Helper()
	signed := map[string]bool{"alice": true, "bob": true, "admin.evil.test": true}
	err := w.st.View(context.Background(), func(tx store.Tx) error {
		users, err := tx.ListUsers(store.UserFilter{EnterpriseID: w.acme.ID})
		for _, u := range users {
			if !signed[u.ExternalID] {
				t.Errorf("the ACS created user %q, which the trusted key never signed", u.ExternalID)
			}
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}
