package main

import (
	"encoding/base64"
	"encoding/pem"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/gatehouse-sso/gatehouse/saml/samltest"
)

// cases is the catalogue. Each case names the attack in entry.Attack and
// what must stop it in entry.Want.
func cases() []catalogueCase {
	var cs []catalogueCase
	for _, group := range [][]catalogueCase{baselines(), wrapping(), injections(), signatures(), misdirected(), documents()} {
		cs = append(cs, group...)
	}
	return cs
}

// with returns valid() changed by edit.
func with(edit func(r *response)) *response {
	r := valid()
	edit(r)
	return r
}

func assertionOnly(r *response) { r.Sign = false }
func responseOnly(r *response)  { r.Assertions[0].Sign = false }

func baselines() []catalogueCase {
	alice := func(attack string) entry {
		return entry{Attack: attack, Want: samltest.WantAccept, Login: "alice", NameID: "alice@example.com"}
	}
	return []catalogueCase{
		{name: "valid-both-signed", entry: alice("none: the Response and its assertion signed, as SimpleSAMLphp sends them")},
		{name: "valid-assertion-signed", response: with(assertionOnly), entry: alice("none: only the assertion signed, as Okta sends it by default")},
		{name: "valid-response-signed", response: with(responseOnly), entry: alice("none: only the Response signed, as Entra ID sends it by default")},
	}
}

// wrapping is XML signature wrapping: the signed element moved where the
// verifier still finds it, and an evil one where the consumer reads.
func wrapping() []catalogueCase {
	return []catalogueCase{
		{name: "xsw-response-wrapped-in-extensions", response: with(responseOnly),
			entry: entry{Want: "unsigned", Attack: "an evil unsigned Response whose Extensions hold the signed Response: the signature is valid, but not on the root"},
			alter: func(doc string) (string, error) {
				return insertAfterIssuer(evilResponse("_evil-response"), "<samlp:Extensions>"+doc+"</samlp:Extensions>\n")
			}},
		{name: "xsw-response-wrapped-in-signature-object", response: with(responseOnly),
			entry: entry{Want: "bad_signature", Attack: "an evil Response carrying the signed Response's signature, with the signed Response inside its ds:Object"},
			alter: func(doc string) (string, error) { return wrapInSignatureObject(doc, evilResponse("_evil-response")) }},
		{name: "xsw-duplicate-response-id", response: with(responseOnly),
			entry: entry{Want: "bad_signature", Attack: "an evil Response with the signed Response's ID and signature, the signed Response inside its ds:Object"},
			alter: func(doc string) (string, error) { return wrapInSignatureObject(doc, evilResponse("_response-1")) }},
		{name: "xsw-assertion-wrapped-in-extensions", response: with(assertionOnly),
			entry: entry{Want: "unsigned", Attack: "the signed assertion moved into the Response's Extensions and an evil unsigned assertion put in its place"},
			alter: func(doc string) (string, error) {
				signed, rest, err := cutAssertion(doc)
				if err != nil {
					return "", err
				}
				rest = strings.Replace(rest, assertionMark, evilAssertion("_evil-assertion").render("  "), 1)
				return insertAfterIssuer(rest, "<samlp:Extensions>"+signed+"</samlp:Extensions>\n")
			}},
		{name: "xsw-assertion-wrapped-in-advice", response: with(assertionOnly),
			entry: entry{Want: "bad_signature", Attack: "an evil assertion carrying the signed assertion's signature, with the signed assertion in its Advice"},
			alter: func(doc string) (string, error) {
				signed, rest, err := cutAssertion(doc)
				if err != nil {
					return "", err
				}
				sig, err := cut(signed, "<ds:Signature", "</ds:Signature>")
				if err != nil {
					return "", err
				}
				evil, err := insertAfterIssuer(evilAssertion("_evil-assertion").render("  "), sig+"\n")
				if err != nil {
					return "", err
				}
				evil = strings.Replace(evil, "</saml:Conditions>\n", "</saml:Conditions>\n<saml:Advice>"+signed+"</saml:Advice>\n", 1)
				return strings.Replace(rest, assertionMark, evil, 1), nil
			}},
		{name: "xsw-assertion-wrapped-in-signature-object", response: with(assertionOnly),
			entry: entry{Want: "bad_signature", Attack: "an evil assertion carrying the signed assertion's signature, with the signed assertion inside its ds:Object"},
			alter: func(doc string) (string, error) {
				signed, rest, err := cutAssertion(doc)
				if err != nil {
					return "", err
				}
				evil, err := wrapInSignatureObject(signed, evilAssertion("_evil-assertion").render("  "))
				if err != nil {
					return "", err
				}
				return strings.Replace(rest, assertionMark, evil, 1), nil
			}},
		{name: "xsw-evil-assertion-wraps-signed", response: with(assertionOnly),
			entry: entry{Want: "unsigned", Attack: "an evil unsigned assertion holding the signed assertion as a child"},
			alter: func(doc string) (string, error) {
				signed, rest, err := cutAssertion(doc)
				if err != nil {
					return "", err
				}
				evil, err := insertAfterIssuer(evilAssertion("_evil-assertion").render("  "), signed)
				if err != nil {
					return "", err
				}
				return strings.Replace(rest, assertionMark, evil, 1), nil
			}},
		{name: "xsw-evil-assertion-before-signed", response: with(assertionOnly),
			entry: entry{Want: "assertion_count", Attack: "an evil unsigned assertion before the signed one, for a consumer that reads the first"},
			alter: addAssertion("_evil-assertion", true)},
		{name: "xsw-evil-assertion-after-signed", response: with(assertionOnly),
			entry: entry{Want: "assertion_count", Attack: "an evil unsigned assertion after the signed one, for a consumer that reads the last"},
			alter: addAssertion("_evil-assertion", false)},
		{name: "xsw-duplicate-assertion-id-before", response: with(assertionOnly),
			entry: entry{Want: "assertion_count", Attack: "an evil assertion with the signed assertion's ID before it, for a verifier that finds the signed one by ID"},
			alter: addAssertion("_assertion-1", true)},
		{name: "xsw-duplicate-assertion-id-after", response: with(assertionOnly),
			entry: entry{Want: "assertion_count", Attack: "an evil assertion with the signed assertion's ID after it"},
			alter: addAssertion("_assertion-1", false)},
		{name: "xsw-evil-assertion-in-signed-response-extensions",
			entry: entry{Want: "bad_signature", Attack: "an evil assertion added inside the Extensions of a signed Response"},
			alter: func(doc string) (string, error) {
				return insertAfterIssuer(doc, "<samlp:Extensions>"+evilAssertion("_evil-assertion").render("")+"</samlp:Extensions>\n")
			}},
		{name: "signature-reference-names-the-response", response: with(func(r *response) { assertionOnly(r); r.Assertions[0].Reference = r.ID }),
			entry: entry{Want: "bad_signature", Attack: "the assertion's signature is valid but its Reference names the Response, not the assertion"}},
		{name: "signature-reference-names-the-assertion", response: with(func(r *response) { responseOnly(r); r.Reference = r.Assertions[0].ID }),
			entry: entry{Want: "bad_signature", Attack: "the Response's signature is valid but its Reference names the assertion, not the Response"}},
	}
}

// injections are comments and processing instructions in signed text:
// exclusive canonicalization drops them, so the signature still verifies,
// and a consumer that reads only the first text node truncates the value.
func injections() []catalogueCase {
	inject := func(name, what, want, nameID, login, group, mark string) catalogueCase {
		r := valid()
		a := r.Assertions[0]
		a.NameID = strings.ReplaceAll(nameID, mark, "")
		a.Attributes[0].Values = []string{strings.ReplaceAll(login, mark, "")}
		a.Attributes[3].Values = []string{strings.ReplaceAll(group, mark, "")}
		return catalogueCase{name: name, response: r,
			entry: entry{Want: want, NameID: a.NameID, Login: a.Attributes[0].Values[0], Groups: a.Attributes[3].Values,
				Attack: what + " inserted after signing into " + strings.TrimPrefix(name, strings.SplitN(name, "-in-", 2)[0]+"-in-")},
			alter: func(doc string) (string, error) {
				for _, v := range []string{nameID, login, group} {
					if !strings.Contains(v, mark) {
						continue
					}
					var err error
					if doc, err = replaceOnce(doc, ">"+strings.ReplaceAll(v, mark, "")+"<", ">"+v+"<"); err != nil {
						return "", err
					}
				}
				return doc, nil
			}}
	}
	// Exclusive canonicalization drops comments, so the signature still
	// verifies and the value must be read whole; it keeps processing
	// instructions, so the digest no longer matches.
	const comment, pi = "<!---->", "<?gatehouse catalogue?>"
	const (
		commentAttack = "a comment, which canonicalization drops (the signature still verifies: the value must be read whole, never truncated),"
		piAttack      = "a processing instruction, which canonicalization keeps (the digest no longer matches),"
	)
	return []catalogueCase{
		inject("comment-in-nameid", commentAttack, samltest.WantWhole, "admin@example.com"+comment+".evil.test", "alice", "Devs", comment),
		inject("comment-in-login-attribute", commentAttack, samltest.WantWhole, "alice@example.com", "admin"+comment+".evil.test", "Devs", comment),
		inject("comment-in-group-value", commentAttack, samltest.WantWhole, "alice@example.com", "alice", "Owners"+comment+"-of-nothing", comment),
		inject("processing-instruction-in-nameid", piAttack, "bad_signature", "admin@example.com"+pi+".evil.test", "alice", "Devs", pi),
		inject("processing-instruction-in-login-attribute", piAttack, "bad_signature", "alice@example.com", "admin"+pi+".evil.test", "Devs", pi),
	}
}

func signatures() []catalogueCase {
	return []catalogueCase{
		{name: "two-signed-assertions", response: with(func(r *response) {
			b := aliceAssertion("_assertion-2", r.IssueInstant)
			b.NameID, b.Attributes[0].Values = "bob@example.com", []string{"bob"}
			r.Assertions = append(r.Assertions, b)
		}), entry: entry{Want: "assertion_count", Attack: "two assertions, each signed, in a signed Response: which one would be used is up to the consumer"}},
		{name: "unsigned", response: with(func(r *response) { r.Sign, r.Assertions[0].Sign = false, false }),
			entry: entry{Want: "unsigned", Attack: "no signature at all"}},
		{name: "signatures-stripped",
			entry: entry{Want: "unsigned", Attack: "both signatures of a signed Response removed"},
			alter: func(doc string) (string, error) {
				for range 2 {
					sig, err := cut(doc, "<ds:Signature", "</ds:Signature>")
					if err != nil {
						return "", err
					}
					doc = strings.Replace(doc, sig, "", 1)
				}
				return doc, nil
			}},
		{name: "signed-by-another-key", signer: filepath.Join(keysDir, "idp-other"),
			entry: entry{Want: "untrusted_cert", Attack: "signed with a key the connection does not trust, its certificate in KeyInfo"}},
		{name: "signed-by-another-key-naming-the-trusted-certificate", signer: filepath.Join(keysDir, "idp-other"),
			entry: entry{Want: "bad_signature", Attack: "signed with an untrusted key, with the trusted certificate put in KeyInfo"},
			alter: func(doc string) (string, error) {
				trusted, err := certBase64("idp")
				if err != nil {
					return "", err
				}
				return x509Certificate.ReplaceAllString(doc, "${1}\n"+trusted+"\n${2}"), nil
			}},
		{name: "nameid-changed-after-signing",
			entry: entry{Want: "bad_signature", Attack: "the NameID changed after signing"},
			alter: replacer(">alice@example.com</saml:NameID>", ">admin@example.com</saml:NameID>")},
		{name: "login-changed-after-signing",
			entry: entry{Want: "bad_signature", Attack: "the login attribute changed after signing"},
			alter: replacer(">alice</saml:AttributeValue>", ">admin</saml:AttributeValue>")},
		{name: "group-added-after-signing",
			entry: entry{Want: "bad_signature", Attack: "a group value added after signing"},
			alter: replacer(">Ops</saml:AttributeValue>", ">Ops</saml:AttributeValue><saml:AttributeValue>Owners</saml:AttributeValue>")},
		{name: "conditions-extended-after-signing",
			entry: entry{Want: "bad_signature", Attack: "the assertion's NotOnOrAfter moved a year later after signing"},
			alter: replacer(`<saml:Conditions NotBefore="2025-06-01T11:59:20Z" NotOnOrAfter="2025-06-01T12:04:50Z">`, `<saml:Conditions NotBefore="2025-06-01T11:59:20Z" NotOnOrAfter="2026-06-01T12:04:50Z">`)},
		{name: "sha1-signatures", response: with(func(r *response) { r.SHA1, r.Assertions[0].SHA1 = true, true }),
			entry: entry{Want: "weak_algorithm", Attack: "RSA-SHA1 signatures and SHA-1 digests, refused unless the connection allows SHA-1"}},
		{name: "rsa-8704-bit-key", signer: filepath.Join(outDir, fmt.Sprintf("idp-rsa%d", bigKeyBits)),
			entry: entry{Want: "weak_algorithm", Trust: filepath.Join(outDir, fmt.Sprintf("idp-rsa%d.crt", bigKeyBits)),
				Attack: "signed with an 8704-bit RSA key, over saml.MaxRSAKeyBits, so that every verification costs the SP dearly"}},
	}
}

// misdirected are responses made for another SP, request, time or IdP.
func misdirected() []catalogueCase {
	first := func(edit func(a *assertion)) *response { return with(func(r *response) { edit(r.Assertions[0]) }) }
	old, early := now.Add(-time.Hour), now.Add(time.Hour)
	globex := baseURL + "/saml/globex"
	return []catalogueCase{
		{name: "expired", response: with(func(r *response) {
			r.IssueInstant = old
			r.Assertions = []*assertion{aliceAssertion("_assertion-1", old)}
		}), entry: entry{Want: "expired", Attack: "a response issued an hour ago and expired 55 minutes ago, replayed late"}},
		{name: "not-yet-valid", response: with(func(r *response) {
			r.IssueInstant = early
			r.Assertions = []*assertion{aliceAssertion("_assertion-1", early)}
		}), entry: entry{Want: "not_yet_valid", Attack: "a response issued an hour from now"}},
		{name: "wrong-audience", response: first(func(a *assertion) { a.Audience = "https://other-sp.example/saml" }),
			entry: entry{Want: "wrong_audience", Attack: "an assertion made for another SP of the same IdP"}},
		{name: "audience-of-another-enterprise", response: with(func(r *response) {
			r.Destination, r.Assertions[0].Recipient, r.Assertions[0].Audience = acsURL, acsURL, globex
		}), entry: entry{Want: "wrong_audience", Attack: "an assertion made for enterprise globex of the same Gatehouse, posted to acme's ACS"}},
		{name: "destination-of-another-enterprise", response: with(func(r *response) {
			r.Destination, r.Assertions[0].Recipient, r.Assertions[0].Audience = globex+"/acs", globex+"/acs", globex
		}), entry: entry{Want: "wrong_destination", Attack: "a response made for enterprise globex, posted to acme's ACS"}},
		{name: "wrong-destination", response: with(func(r *response) { r.Destination = "https://other-sp.example/acs" }),
			entry: entry{Want: "wrong_destination", Attack: "a signed Response addressed to another SP"}},
		{name: "missing-destination", response: with(func(r *response) { r.Destination = "" }),
			entry: entry{Want: "wrong_destination", Attack: "a signed Response without Destination, good at any SP"}},
		{name: "wrong-recipient", response: first(func(a *assertion) { a.Recipient = "https://other-sp.example/acs" }),
			entry: entry{Want: "wrong_destination", Attack: "a bearer assertion whose Recipient is another SP's ACS"}},
		{name: "wrong-response-issuer", response: with(func(r *response) { r.Issuer = "https://evil-idp.example/metadata" }),
			entry: entry{Want: "wrong_issuer", Attack: "a Response issued by another IdP, with a trusted key"}},
		{name: "wrong-assertion-issuer", response: first(func(a *assertion) { a.Issuer = "https://evil-idp.example/metadata" }),
			entry: entry{Want: "wrong_issuer", Attack: "an assertion issued by another IdP, with a trusted key"}},
		{name: "missing-inresponseto", response: with(func(r *response) { r.InResponseTo, r.Assertions[0].InResponseTo = "", "" }),
			entry: entry{Want: "unsolicited", Attack: "an IdP-initiated response, bound to no request and no browser"}},
		{name: "unknown-inresponseto", response: with(func(r *response) {
			r.InResponseTo, r.Assertions[0].InResponseTo = "id-someone-elses-request", "id-someone-elses-request"
		}), entry: entry{Want: "unknown_request", Attack: "a response answering another request than the pending one"}},
		{name: "other-enterprise-request",
			entry: entry{Want: "unknown_request", Request: samltest.RequestOtherEnterprise, Attack: "a response to a request started for enterprise globex, posted to acme's ACS"}},
		{name: "other-browser-request",
			entry: entry{Want: "unknown_request", Request: samltest.RequestOtherBrowser, Attack: "a response to a request started in another browser (login CSRF, a stolen response)"}},
		{name: "replayed-assertion-id", response: with(func(r *response) {
			r.ID, r.InResponseTo, r.Assertions[0].InResponseTo = "_response-2", requestID+"-2", requestID+"-2"
		}), entry: entry{Want: "replayed", Request: samltest.RequestAfterValid, RequestID: requestID + "-2",
			Attack: "a second response, answering a second request, reusing the assertion ID of valid-both-signed after it was used"}},
	}
}

// documents attack the XML parser and the server's resources.
func documents() []catalogueCase {
	return []catalogueCase{
		{name: "doctype", entry: entry{Want: "malformed", Attack: "a DOCTYPE, which Gatehouse never parses"},
			alter: prepend(`<!DOCTYPE samlp:Response>` + "\n")},
		{name: "billion-laughs", entry: entry{Want: "malformed", Attack: "internal entity expansion (billion laughs) in the NameID"},
			alter: func(doc string) (string, error) {
				var b strings.Builder
				b.WriteString("<!DOCTYPE samlp:Response [\n  <!ENTITY lol0 \"lol\">\n")
				for i := 1; i < 10; i++ {
					fmt.Fprintf(&b, "  <!ENTITY lol%d \"%s\">\n", i, strings.Repeat(fmt.Sprintf("&lol%d;", i-1), 10))
				}
				b.WriteString("]>\n")
				doc, err := replaceOnce(doc, ">alice@example.com</saml:NameID>", ">&lol9;</saml:NameID>")
				return b.String() + doc, err
			}},
		{name: "external-entity", entry: entry{Want: "malformed", Attack: "an external entity (XXE) reading a local file into the login attribute"},
			alter: func(doc string) (string, error) {
				doc, err := replaceOnce(doc, ">alice</saml:AttributeValue>", ">&xxe;</saml:AttributeValue>")
				return `<!DOCTYPE samlp:Response [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>` + "\n" + doc, err
			}},
		{name: "external-dtd", entry: entry{Want: "malformed", Attack: "an external DTD, fetched by parsers that load DTDs (server-side request forgery)"},
			alter: prepend(`<!DOCTYPE samlp:Response SYSTEM "http://127.0.0.1:9/evil.dtd">` + "\n")},
		{name: "status-responder", response: &response{ID: "_response-1", IssueInstant: now.Add(-10 * time.Second), Destination: acsURL,
			InResponseTo: requestID, Issuer: idpEntityID, Status: statusResponder, SubStatus: "urn:oasis:names:tc:SAML:2.0:status:AuthnFailed",
			StatusMessage: "The user is not assigned to this application", Sign: true},
			entry: entry{Want: "status", Attack: "a signed Response with a non-Success status and no assertion"}},
		{name: "oversized", entry: entry{Want: "too_large", Pad: 300 << 10, Attack: "a signed Response padded past 256 KiB with a comment that canonicalization drops"}},
		{name: "deep-nesting", entry: entry{Want: "malformed", Attack: "elements nested 64 deep, to exhaust the parser's stack"},
			alter: func(doc string) (string, error) {
				return insertAfterIssuer(doc, "<samlp:Extensions>"+strings.Repeat("<x>", 64)+strings.Repeat("</x>", 64)+"</samlp:Extensions>\n")
			}},
	}
}

// assertionMark stands where cutAssertion removed the assertion.
const assertionMark = "<!--assertion-->"

// cutAssertion returns the first assertion of doc and doc with
// assertionMark in its place.
func cutAssertion(doc string) (assertion, rest string, err error) {
	a, err := cut(doc, "<saml:Assertion ", "</saml:Assertion>\n")
	if err != nil {
		return "", "", err
	}
	return a, strings.Replace(doc, a, assertionMark, 1), nil
}

// cut returns the first substring of doc from start to end, inclusive.
func cut(doc, start, end string) (string, error) {
	i := strings.Index(doc, start)
	if i < 0 {
		return "", fmt.Errorf("no %q", start)
	}
	j := strings.Index(doc[i:], end)
	if j < 0 {
		return "", fmt.Errorf("no %q after %q", end, start)
	}
	return doc[i : i+j+len(end)], nil
}

// insertAfterIssuer inserts s after the first Issuer of doc.
func insertAfterIssuer(doc, s string) (string, error) {
	const issuerEnd = "</saml:Issuer>\n"
	i := strings.Index(doc, issuerEnd)
	if i < 0 {
		return "", fmt.Errorf("no Issuer")
	}
	i += len(issuerEnd)
	return doc[:i] + s + doc[i:], nil
}

// wrapInSignatureObject returns evil carrying the first signature of
// signed, with signed itself in the signature's ds:Object.
func wrapInSignatureObject(signed, evil string) (string, error) {
	sig, err := cut(signed, "<ds:Signature", "</ds:Signature>")
	if err != nil {
		return "", err
	}
	wrapped := strings.TrimSuffix(sig, "</ds:Signature>") + "<ds:Object>" + signed + "</ds:Object></ds:Signature>\n"
	return insertAfterIssuer(evil, wrapped)
}

// evilResponse is an unsigned Response with ID id carrying evilAssertion.
func evilResponse(id string) string {
	r := valid()
	r.ID, r.Sign = id, false
	r.Assertions = []*assertion{evilAssertion("_evil-assertion")}
	return r.render()
}

// addAssertion adds evilAssertion(id) before or after the first assertion.
func addAssertion(id string, before bool) func(doc string) (string, error) {
	return func(doc string) (string, error) {
		signed, rest, err := cutAssertion(doc)
		if err != nil {
			return "", err
		}
		evil := evilAssertion(id).render("  ")
		if before {
			return strings.Replace(rest, assertionMark, evil+signed, 1), nil
		}
		return strings.Replace(rest, assertionMark, signed+evil, 1), nil
	}
}

func replacer(old, new string) func(doc string) (string, error) {
	return func(doc string) (string, error) { return replaceOnce(doc, old, new) }
}

// replaceOnce replaces old, which must occur in doc, once.
func replaceOnce(doc, old, new string) (string, error) {
	if !strings.Contains(doc, old) {
		return "", fmt.Errorf("no %q", old)
	}
	return strings.Replace(doc, old, new, 1), nil
}

func prepend(s string) func(doc string) (string, error) {
	return func(doc string) (string, error) { return s + doc, nil }
}

// x509Certificate matches a certificate in KeyInfo, with its tags.
var x509Certificate = regexp.MustCompile(`(<ds:X509Certificate>)[^<]*(</ds:X509Certificate>)`)

// certBase64 returns testdata/name.crt as xmlsec1 writes it in KeyInfo:
// base64 DER.
func certBase64(name string) (string, error) {
	b, err := os.ReadFile(filepath.Join(keysDir, name+".crt"))
	if err != nil {
		return "", err
	}
	block, _ := pem.Decode(b)
	if block == nil {
		return "", fmt.Errorf("%s.crt is not PEM", name)
	}
	return base64.StdEncoding.EncodeToString(block.Bytes), nil
}
