package saml

import (
	"net/url"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/gatehouse-sso/gatehouse"
	"github.com/gatehouse-sso/gatehouse/saml/samltest"
)

//go:generate go run ./testdata/catalogue/gen

// catalogueDir holds the attack catalogue: responses signed by xmlsec1,
// then altered. To add a case, add it to testdata/catalogue/gen and run
// go generate (testdata/catalogue/README.md).
const catalogueDir = "testdata/catalogue"

// MustCatalogue loads the attack catalogue.
func MustCatalogue(tb testing.TB) *samltest.Catalogue {
	tb.Helper()
	cat, err := samltest.LoadCatalogue(catalogueDir)
	if err != nil {
		tb.Fatal(err)
	}
	if len(cat.Cases) == 0 {
		tb.Fatal("the catalogue has no case")
	}
	return cat
}

// MustCatalogueSP builds the ServiceProvider a catalogue case is checked
// with, as New builds it for the ACS.
func MustCatalogueSP(tb testing.TB, cat *samltest.Catalogue, c samltest.CatalogueCase) *ServiceProvider {
	tb.Helper()
	conn, err := cat.Connection(c)
	if err != nil {
		tb.Fatal(err)
	}
	base, err := url.Parse(cat.BaseURL)
	if err != nil {
		tb.Fatal(err)
	}
	sp, err := New(conn, base, cat.Enterprise)
	if err != nil {
		tb.Fatalf("New() = %v", err)
	}
	return sp
}

// catalogueSP is the catalogue's ServiceProvider for its baseline.
func catalogueSP(tb testing.TB, cat *samltest.Catalogue) *ServiceProvider {
	tb.Helper()
	return MustCatalogueSP(tb, cat, samltest.CatalogueCase{Name: "baseline"})
}

// TestCatalogue runs every case of the attack catalogue through
// ParseResponse with the pending request the ACS would pass: each attack
// must be refused with its reason, each baseline accepted, and each
// injection read whole or refused. The cases about which request is
// pending (another enterprise's, another browser's) get no request, as
// login passes none when it finds no usable one; the replay case is
// accepted here, since the replay cache belongs to login (web's
// TestACSCatalogue checks all of them at the ACS).
func TestCatalogue(t *testing.T) {
	cat := MustCatalogue(t)
	for _, c := range cat.Cases {
		t.Run(c.Name, func(t *testing.T) {
			t.Log(c.Attack)
			form, err := cat.Response(c)
			if err != nil {
				t.Fatal(err)
			}
			exp := Expect{RequestID: cat.Answers(c), Now: cat.Now}
			if c.Request == samltest.RequestOtherEnterprise || c.Request == samltest.RequestOtherBrowser {
				exp.RequestID = ""
			}
			id, err := MustCatalogueSP(t, cat, c).ParseResponse(form, exp)
			switch {
			case c.Want == samltest.WantAccept || c.Request == samltest.RequestAfterValid:
				if err != nil {
					t.Fatalf("ParseResponse() = %v; want accepted", err)
				}
				checkCatalogueIdentity(t, c, id)
			case c.Want == samltest.WantWhole && err == nil:
				t.Logf("accepted with the whole values")
				checkCatalogueIdentity(t, c, id)
			case c.Want == samltest.WantWhole:
				if refusalReason(err) == "" {
					t.Fatalf("ParseResponse() = %v; want an Identity or a refusal", err)
				}
				t.Logf("refused: %v", err)
			default:
				if got := refusalReason(err); got != c.Reason() {
					t.Fatalf("ParseResponse() = %v, %v; want a %s refusal", id, err, c.Reason())
				}
				t.Logf("refused: %v", err)
			}
		})
	}
}

// checkCatalogueIdentity compares an accepted Identity with the values
// the case's IdP signed.
func checkCatalogueIdentity(t *testing.T, c samltest.CatalogueCase, id *gatehouse.Identity) {
	t.Helper()
	want := struct{ Login, NameID, AssertionID string }{c.Login, c.NameID, "_assertion-1"}
	if want.Login == "" {
		want.Login, want.NameID = "alice", "alice@example.com"
	}
	got := struct{ Login, NameID, AssertionID string }{id.Login, id.NameID, id.AssertionID}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Identity mismatch (-want +got):\n%s", diff)
	}
	if c.Groups != nil {
		if diff := cmp.Diff(c.Groups, id.Groups); diff != "" {
			t.Errorf("Groups mismatch (-want +got):\n%s", diff)
		}
	}
}
