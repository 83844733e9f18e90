package login_test

import (
	"context"
	"encoding/pem"
	"net/netip"
	"testing"

	"github.com/gatehouse-sso/gatehouse"
	"github.com/gatehouse-sso/gatehouse/admin"
	"github.com/gatehouse-sso/gatehouse/login"
)

// TestFinishSSOChecksWhatTheNodeRemembers covers what FinishSSO takes from
// the node's memory instead of the database (see cache.go): another node,
// and every change an admin can make between the start of a login and
// its Response.
func TestFinishSSOChecksWhatTheNodeRemembers(t *testing.T) {
	ctx := context.Background()
	other := netip.MustParseAddr("203.0.113.5")
	tests := []struct {
		name string
		// change runs between the start and the Response; it returns the
		// IdP that signs the Response.
		change     func(t *testing.T, e *env) (signer *env)
		client     netip.Addr
		wantReason gatehouse.RefusalReason // "" to accept
		// wantTx and wantView are the transactions the login takes.
		wantTx, wantView int
	}{
		{name: "takes one transaction on the node that started the login",
			change: func(*testing.T, *env) *env { return nil }, client: testClient, wantTx: 1},
		{name: "reads the pending request first on another node",
			change: func(t *testing.T, e *env) *env {
				e.Login = login.NewService(e.Store, e.Login.BaseURL)
				e.Login.Now = e.Admin.Now
				return nil
			}, client: testClient, wantTx: 1, wantView: 1},
		{name: "refuses a signature the connection no longer trusts",
			change: func(t *testing.T, e *env) *env {
				e.mustPutIdP(t, MustOtherIdP(t).Certificate.Raw)
				return nil
			}, client: testClient, wantReason: gatehouse.RefusalUntrustedCert, wantTx: 2, wantView: 1},
		{name: "accepts a signature the connection trusts since",
			change: func(t *testing.T, e *env) *env {
				e.mustPutIdP(t, MustOtherIdP(t).Certificate.Raw)
				signer := *e
				signer.IdP = MustOtherIdP(t)
				return &signer
			}, client: testClient, wantTx: 1, wantView: 1},
		{name: "refuses a login whose connection was deleted",
			change: func(t *testing.T, e *env) *env {
				if err := e.Admin.DeleteSSO(ctx, gatehouse.Operator, "acme", true); err != nil {
					t.Fatal(err)
				}
				return nil
			}, client: testClient, wantReason: gatehouse.RefusalNoConnection, wantTx: 2},
		{name: "accepts an address the allow list gained",
			change: func(t *testing.T, e *env) *env {
				e.MustAllow(t, "192.0.2.0/24")
				// The node now remembers acme with that allow list.
				e.MustStart(t, "acme", "")
				e.MustAllow(t, "192.0.2.0/24", "203.0.113.0/24")
				return nil
			}, client: other, wantTx: 1, wantView: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := MustEnv(t)
			s := e.MustStart(t, "acme", "")
			signer := tt.change(t, e)
			if signer == nil {
				signer = e
			}
			in := s.acs(signer.MustResponse(t, s, alice))
			in.Client = tt.client
			cs := &countingStore{Store: e.Store}
			e.Login.Store = cs
			_, err := e.Login.FinishSSO(ctx, in)
			if r := refusal(err); tt.wantReason == "" && err != nil || tt.wantReason != "" && (r == nil || r.Reason != tt.wantReason) {
				t.Fatalf("FinishSSO() = %v; want refusal %q", err, tt.wantReason)
			}
			if cs.txs != tt.wantTx || cs.views != tt.wantView {
				t.Errorf("the login took %d write and %d read-only transactions; want %d and %d", cs.txs, cs.views, tt.wantTx, tt.wantView)
			}
		})
	}
}

// mustPutIdP replaces acme's IdP certificate with the certificate der.
func (e *env) mustPutIdP(tb testing.TB, der []byte) {
	tb.Helper()
	cert := string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}))
	_, err := e.Admin.PutSSO(context.Background(), gatehouse.Operator, "acme", admin.SSOInput{
		IdPEntityID: e.IdP.EntityID, SSOURL: testIdPSSOURL, Certificates: []string{cert}})
	if err != nil {
		tb.Fatal(err)
	}
}
