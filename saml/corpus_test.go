package saml

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/gatehouse-sso/gatehouse"
	"github.com/gatehouse-sso/gatehouse/internal/testpeer"
)

// A corpusCase is one entry of the outside corpus's manifest.json
// (testdata/saml-corpus/README.md describes every field).
type corpusCase struct {
	ID            string              `json:"id"`
	File          string              `json:"file"`
	Encoding      string              `json:"encoding"`
	SPEntityID    string              `json:"sp_entity_id"`
	ACSURL        string              `json:"acs_url"`
	IdPIssuer     string              `json:"idp_issuer"`
	IdPCert       string              `json:"idp_cert"`
	SPKey         *string             `json:"sp_key"`
	InResponseTo  *string             `json:"in_response_to"`
	ValidateAt    time.Time           `json:"validate_at"`
	Expect        string              `json:"expect"`
	Reason        string              `json:"reason"`
	Requires      []string            `json:"requires"`
	ExpectStrict  string              `json:"expect_strict"`
	NameID        string              `json:"nameid"`
	Attributes    map[string][]string `json:"attributes"`
	Groups        *corpusGroups       `json:"groups"`
	MustNotNameID string              `json:"must_not_nameid"`
	SigAlgs       []string            `json:"sig_algs"`
	XMLSecDetail  []string            `json:"xmlsec1_detail"`
	Note          string              `json:"note"`
}

type corpusGroups struct {
	Attribute string   `json:"attribute"`
	Values    []string `json:"values"`
}

// unsupported says, for each corpus setting Gatehouse does not have, why
// it refuses what the setting would let through. A case that requires one
// is compared with expect_strict instead of expect.
var unsupported = map[string]string{
	"allow-idp-initiated":                       "Gatehouse requires InResponseTo because SPEC §3.3 refuses IdP-initiated logins: an unsolicited response is bound to no request and no browser",
	"allow-missing-audience-restriction":        "Gatehouse requires an AudienceRestriction naming the SP because an assertion without one is good at every SP that trusts the IdP",
	"ignore-cert-validity":                      "Gatehouse requires the signing certificate to be valid at the time of login because SPEC §3.3 checks it, so that a retired IdP certificate stops working",
	"allow-stale-response-issueinstant":         "Gatehouse requires a fresh Response IssueInstant (crewjam/saml: 90 s) because a captured response must go stale",
	"allow-signed-response-without-destination": "Gatehouse requires a Destination on a signed Response because SAML bindings 3.5.5.2 does, so that a response made for another SP cannot be posted here",
	"allow-empty-reference-uri":                 "Gatehouse requires the signature Reference to name the signed element's ID because SAML core 5.4.2 does, which is what defeats signature wrapping",
	"allow-deflated-post-body":                  "Gatehouse requires a plain base64 body because the HTTP-POST binding never deflates (SAML bindings 3.5.4)",
	"allow-missing-scd-inresponseto":            "Gatehouse requires the bearer SubjectConfirmationData to name the request because an assertion must not move to another login (SAML profiles 4.1.4.3)",
	"skip-recipient-check":                      "Gatehouse requires the SubjectConfirmationData Recipient to be its ACS URL because SAML profiles 4.1.4.2 does",
	"require-conditions-time-bounds":            "Gatehouse, like SAML core 2.5.1.2, accepts Conditions without time bounds; the case is refused for its other defects",
	"require-sp-decryption-cert-validity":       "Gatehouse does not date its own decryption key; the case is refused for its other defects",
}

// corpusReasons is the refusal a reject case must get when its manifest
// reason is the only thing wrong with it (see singleDefect).
var corpusReasons = map[string]gatehouse.RefusalReason{
	"wrong-audience":         gatehouse.RefusalWrongAudience,
	"wrong-destination":      gatehouse.RefusalWrongDestination,
	"wrong-issuer":           gatehouse.RefusalWrongIssuer,
	"untrusted-cert":         gatehouse.RefusalUntrustedCert,
	"signing-cert-not-valid": gatehouse.RefusalCertNotValid,
	"status-failure":         gatehouse.RefusalStatus,
	"multiple-assertions":    gatehouse.RefusalAssertionCount,
	"malformed-xml":          gatehouse.RefusalMalformed,
	"xxe":                    gatehouse.RefusalMalformed,
	"expired":                gatehouse.RefusalExpired,
	"not-yet-valid":          gatehouse.RefusalNotYetValid,
	"undecryptable":          gatehouse.RefusalDecryption,
	"unsigned":               gatehouse.RefusalUnsigned,
	"bad-signature":          gatehouse.RefusalBadSignature,
}

// TestCorpus runs every case of the outside SAML corpus through
// ParseResponse, as the ACS does, with one SP per case configured from the
// manifest, and requires the manifest's verdict. Gatehouse has only one of
// the corpus's relaxations (allow-sha1 is AllowSHA1, which reject cases
// signed with SHA-1 also get, so that their real defect is what is
// caught); a case that needs another, or that meets a rule Gatehouse adds
// to the corpus's strict profile, is compared with expect_strict, and the
// subtest says why Gatehouse refuses it. Where the manifest's reason is
// the case's only defect, the refusal must have the matching Reason.
//
// To add a case, add it to testdata/saml-corpus (file and manifest entry);
// nothing here changes. Set GATEHOUSE_SAML_CORPUS to use a corpus
// elsewhere.
func TestCorpus(t *testing.T) {
	dir := corpusDir(t)
	cases := corpusCases(t, dir)
	if len(cases) == 0 {
		t.Fatal("the corpus manifest has no case")
	}
	for _, c := range cases {
		t.Run(c.ID, func(t *testing.T) {
			runCorpusCase(t, dir, c)
		})
	}
}

// corpusLocation is where the corpus is: GATEHOUSE_SAML_CORPUS, or the
// copy kept in the repository's testdata/saml-corpus.
func corpusLocation() string {
	if dir := os.Getenv("GATEHOUSE_SAML_CORPUS"); dir != "" {
		return dir
	}
	return filepath.Join("..", "testdata", "saml-corpus")
}

// corpusDir finds the corpus, or skips t (fails it when peers are
// required) if it is not there.
func corpusDir(t *testing.T) string {
	dir := corpusLocation()
	if _, err := os.Stat(filepath.Join(dir, "manifest.json")); err != nil {
		testpeer.Missing(t, fmt.Sprintf("the outside SAML corpus is not at %s", dir),
			"restore the repository's testdata/saml-corpus, or set GATEHOUSE_SAML_CORPUS to its path")
	}
	return dir
}

// corpusCases reads the manifest of the corpus in dir.
func corpusCases(tb testing.TB, dir string) []corpusCase {
	raw, err := os.ReadFile(filepath.Join(dir, "manifest.json"))
	if err != nil {
		tb.Fatal(err)
	}
	var cases []corpusCase
	if err := json.Unmarshal(raw, &cases); err != nil {
		tb.Fatal(err)
	}
	return cases
}

// corpusIfPresent returns the corpus directory and its cases, or "" and
// nil when it is absent: fuzz targets then go without its seeds.
func corpusIfPresent(tb testing.TB) (string, []corpusCase) {
	dir := corpusLocation()
	if _, err := os.Stat(filepath.Join(dir, "manifest.json")); err != nil {
		return "", nil
	}
	return dir, corpusCases(tb, dir)
}

func runCorpusCase(t *testing.T, dir string, c corpusCase) {
	want, why := corpusVerdict(t, dir, c)
	if why != "" {
		t.Log(why)
	}
	sp, conn := corpusServiceProvider(t, dir, c)
	exp := Expect{Now: c.ValidateAt}
	if c.InResponseTo != nil {
		exp.RequestID = *c.InResponseTo
	}
	id, err := sp.ParseResponse(corpusResponse(t, dir, c), exp)
	var refusal *gatehouse.Refusal
	if err != nil && !errors.As(err, &refusal) {
		t.Fatalf("ParseResponse() = %v; want an Identity or a *gatehouse.Refusal", err)
	}
	if id != nil && c.MustNotNameID != "" && id.NameID == c.MustNotNameID {
		t.Errorf("ParseResponse() NameID = %q, the value truncated at a comment", id.NameID)
	}
	switch {
	case want == "accept" && refusal != nil && refusal.Reason == gatehouse.RefusalMissingAttribute && len(c.Attributes) == 0:
		// Every SAML check passed; Gatehouse needs a login attribute and
		// the case carries none.
		t.Logf("accepted by every SAML check, then refused because the response carries no attributes and Gatehouse requires the login attribute (SPEC §3.4)")
		checkCorpusNameID(t, sp, c, exp)
	case want == "accept" && err != nil:
		t.Errorf("ParseResponse() = %v; want accept", err)
	case want == "accept":
		t.Logf("accepted: NameID %q, login %q", id.NameID, id.Login)
		checkCorpusIdentity(t, c, conn, id)
	case err == nil:
		t.Errorf("ParseResponse() = %+v; want a refusal (%s)", id, c.Reason)
	case refusal.Reason == gatehouse.RefusalMissingAttribute:
		t.Errorf("ParseResponse() = %v; want a refusal by a SAML check (%s), not for a missing attribute", err, c.Reason)
	default:
		t.Logf("refused: %v", err)
		if reason, ok := corpusReasons[c.Reason]; ok && singleDefect(t, dir, c) {
			t.Logf("the refusal must be %s: %s is the case's only defect", reason, c.Reason)
			if refusal.Reason != reason {
				t.Errorf("ParseResponse() reason = %s; want %s (%s): %v", refusal.Reason, reason, c.Reason, err)
			}
		}
	}
}

// corpusVerdict returns the verdict Gatehouse must reach and, when it
// differs from the manifest's expect, why.
func corpusVerdict(t *testing.T, dir string, c corpusCase) (verdict, why string) {
	reasons := gatehouseDiffers(t, dir, c)
	if len(reasons) == 0 {
		return c.Expect, ""
	}
	if c.Expect == "accept" {
		return "reject", "refused although upstream accepts: " + strings.Join(reasons, "; ")
	}
	return "reject", ""
}

// gatehouseDiffers returns, for each way the case meets a rule of
// Gatehouse that the corpus's strict profile lacks or relaxes, why
// Gatehouse refuses it. It reads the manifest and the pinned certificate,
// never the code under test.
func gatehouseDiffers(t *testing.T, dir string, c corpusCase) []string {
	var reasons []string
	for _, r := range c.Requires {
		if r == "allow-sha1" {
			continue // AllowSHA1
		}
		because, ok := unsupported[r]
		if !ok {
			t.Fatalf("the manifest requires %q, which this test does not know", r)
		}
		reasons = append(reasons, because)
	}
	if problem := corpusKeyPolicy(t, dir, c).problem(corpusCertificate(t, dir, c)); problem != "" {
		reasons = append(reasons, fmt.Sprintf("Gatehouse requires IdP keys of %d bits or more because NIST SP 800-131A disallows smaller RSA signatures; the IdP certificate %s", MinRSAKeyBits, problem))
	}
	if c.encrypted() && !c.responseSigned() {
		reasons = append(reasons, "Gatehouse requires a signed Response around an encrypted assertion because SPEC §3.3 decrypts nothing unauthenticated (XML Encryption oracles, SAML core errata E93), whatever the cipher")
	}
	return reasons
}

// encrypted and responseSigned read the manifest's xmlsec1 findings.
func (c corpusCase) encrypted() bool {
	return slices.ContainsFunc(c.XMLSecDetail, func(d string) bool { return strings.HasPrefix(d, "EncryptedAssertion:") })
}

func (c corpusCase) responseSigned() bool {
	return slices.ContainsFunc(c.XMLSecDetail, func(d string) bool { return strings.HasPrefix(d, "Response/Signature ") })
}

// singleDefect reports whether the manifest's reason is the one thing
// Gatehouse must refuse the case for: no Gatehouse rule or setting of
// gatehouseDiffers applies, the response is solicited, signed by a
// certificate valid at validate_at (unless that is the defect), and its
// note names no second defect ("also ...").
func singleDefect(t *testing.T, dir string, c corpusCase) bool {
	cert := corpusCertificate(t, dir, c)
	certValid := !c.ValidateAt.Before(cert.NotBefore) && !c.ValidateAt.After(cert.NotAfter)
	return len(gatehouseDiffers(t, dir, c)) == 0 &&
		c.InResponseTo != nil &&
		(certValid || c.Reason == "signing-cert-not-valid") &&
		!strings.Contains(c.Note, "also ")
}

// corpusServiceProvider builds the SP of a case: the manifest's entity
// IDs and ACS URL, its one trusted certificate, its SP key, and AllowSHA1
// when the case allows SHA-1.
func corpusServiceProvider(t *testing.T, dir string, c corpusCase) (*ServiceProvider, *gatehouse.SSOConnection) {
	conn := &gatehouse.SSOConnection{
		IdPEntityID:  c.IdPIssuer,
		SSOURL:       "https://idp.invalid/sso",
		Certificates: []string{corpusRead(t, dir, c.IdPCert)},
		Attributes:   corpusAttributeNames(c),
		ClockSkew:    gatehouse.DefaultClockSkew,
		AllowSHA1:    corpusAllowSHA1(c),
	}
	if c.SPKey != nil {
		conn.SPKey = corpusRead(t, dir, *c.SPKey)
		conn.SPCertificate = certificateFor(t, conn.SPKey)
	}
	sp, err := newServiceProvider(conn, endpoints{entityID: c.SPEntityID, acsURL: c.ACSURL, metadataURL: c.SPEntityID + "/metadata"}, corpusKeyPolicy(t, dir, c))
	if err != nil {
		t.Fatalf("newServiceProvider() = %v", err)
	}
	return sp, conn
}

// corpusAllowSHA1 reports whether the case's SP accepts SHA-1: when the
// case requires it, and for a reject case signed with SHA-1, so that the
// defect the case is about is what Gatehouse must catch, not SHA-1.
func corpusAllowSHA1(c corpusCase) bool {
	sha1 := slices.ContainsFunc(c.SigAlgs, func(a string) bool { return strings.Contains(a, "sha1") })
	return slices.Contains(c.Requires, "allow-sha1") || (c.Expect == "reject" && sha1)
}

// corpusKeyPolicy is Gatehouse's, except that a reject case may be signed
// with a smaller RSA key (most old attack fixtures use 1024 bits), so that
// the defect the case is about is what Gatehouse must catch, not the key.
func corpusKeyPolicy(t *testing.T, dir string, c corpusCase) keyPolicy {
	p := defaultKeyPolicy()
	if c.Expect == "reject" {
		if key, ok := corpusCertificate(t, dir, c).PublicKey.(*rsa.PublicKey); ok {
			p.minRSABits = min(p.minRSABits, key.N.BitLen())
		}
	}
	return p
}

// corpusAttributeNames maps login and name to an attribute the case
// carries with a value (the first by name), and groups to the manifest's
// group attribute.
func corpusAttributeNames(c corpusCase) gatehouse.AttributeNames {
	names := gatehouse.DefaultAttributes
	names.Email, names.Groups = "", ""
	var candidates []string
	for name, values := range c.Attributes {
		if len(values) > 0 && values[0] != "" {
			candidates = append(candidates, name)
		}
	}
	sort.Strings(candidates)
	if len(candidates) > 0 {
		names.Login, names.Name = candidates[0], candidates[0]
	}
	if c.Groups != nil {
		names.Groups = c.Groups.Attribute
	}
	return names
}

// checkCorpusIdentity compares an accepted Identity with the manifest.
func checkCorpusIdentity(t *testing.T, c corpusCase, conn *gatehouse.SSOConnection, id *gatehouse.Identity) {
	if id.NameID != c.NameID {
		t.Errorf("NameID = %q; want %q", id.NameID, c.NameID)
	}
	if diff := cmp.Diff(c.Attributes, id.Attributes, cmpEmptyMap); diff != "" {
		t.Errorf("Attributes mismatch (-manifest +got):\n%s", diff)
	}
	if c.Groups != nil {
		if diff := cmp.Diff(groups(c.Groups.Values), id.Groups); diff != "" {
			t.Errorf("Groups of %q mismatch (-want +got):\n%s", conn.Attributes.Groups, diff)
		}
	}
	if id.AssertionID == "" || !id.NotOnOrAfter.After(c.ValidateAt) {
		t.Errorf("AssertionID = %q, NotOnOrAfter = %v; want an ID and a time after %v", id.AssertionID, id.NotOnOrAfter, c.ValidateAt)
	}
}

// checkCorpusNameID checks the NameID of a case whose Identity cannot be
// built for lack of attributes, through the verification ParseResponse
// runs before it reads the attributes.
func checkCorpusNameID(t *testing.T, sp *ServiceProvider, c corpusCase, exp Expect) {
	doc, err := decode(corpusResponse(t, "", c))
	if err != nil {
		t.Fatal(err)
	}
	sh, err := scan(doc)
	if err != nil {
		t.Fatal(err)
	}
	v, err := sp.verify(doc, sh, exp)
	if err != nil {
		t.Fatalf("verify() = %v", err)
	}
	if got := strings.TrimSpace(v.assertion.Subject.NameID.Value); got != c.NameID {
		t.Errorf("NameID = %q; want %q", got, c.NameID)
	}
}

// cmpEmptyMap treats a nil and an empty attribute map as equal.
var cmpEmptyMap = cmp.FilterValues(func(a, b map[string][]string) bool { return len(a) == 0 && len(b) == 0 }, cmp.Ignore())

// corpusResponse returns the SAMLResponse form value of a case. A case
// stored as XML is base64-encoded; the deflated case is posted as is,
// since the HTTP-POST binding never deflates.
func corpusResponse(t *testing.T, dir string, c corpusCase) string {
	if dir == "" {
		dir = corpusDir(t)
	}
	body := corpusRead(t, dir, c.File)
	if c.Encoding == "xml" {
		return base64.StdEncoding.EncodeToString([]byte(body))
	}
	return strings.TrimSpace(body)
}

func corpusCertificate(t *testing.T, dir string, c corpusCase) *x509.Certificate {
	block, _ := pem.Decode([]byte(corpusRead(t, dir, c.IdPCert)))
	if block == nil {
		t.Fatalf("%s is not PEM", c.IdPCert)
	}
	cert, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	return cert
}

func corpusRead(tb testing.TB, dir, name string) string {
	b, err := os.ReadFile(filepath.Join(dir, name))
	if err != nil {
		tb.Fatal(err)
	}
	return string(b)
}

// certificateFor makes a certificate for keyPEM: the corpus ships SP keys
// without their certificates, and a ServiceProvider needs both.
func certificateFor(t *testing.T, keyPEM string) string {
	key, err := parseRSAKey(keyPEM)
	if err != nil {
		t.Fatal(err)
	}
	template := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "corpus sp"},
		NotBefore:    time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC),
		NotAfter:     time.Date(2100, 1, 1, 0, 0, 0, 0, time.UTC),
	}
	der, err := x509.CreateCertificate(rand.Reader, template, template, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}))
}
