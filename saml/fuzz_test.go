package saml

import (
	"encoding/base64"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/beevik/etree"

	"github.com/gatehouse-sso/gatehouse"
	"github.com/gatehouse-sso/gatehouse/saml/samltest"
)

// The fuzz targets below run their seeds under plain go test, as CI does.
// Fuzz them for real with, for example:
//
//	go test -run='^$' -fuzz=FuzzParseResponse -fuzztime=5m ./saml/
//
// Every input the fuzzer finds failing is written to testdata/fuzz/NAME/
// and must be committed: it stays a seed, so a regression test.

// signedValues are the logins and groups that the catalogue's trusted
// key ever signed: an Identity carrying any other was forged. (The
// attacker's assertions, never signed, say "admin" and "Owners".)
var signedValues = map[string]bool{
	"alice": true, "bob": true, "admin.evil.test": true,
	"Devs": true, "Ops": true, "Owners-of-nothing": true,
}

// FuzzParseResponse feeds the ACS input path, ParseResponse with the
// catalogue's connection and clock, any XML: it must answer with an
// Identity or a *gatehouse.Refusal, never a failure or a panic, and an
// Identity only with a login and groups the trusted key signed. Seeds:
// every case of the attack catalogue (signed by the trusted key, or
// refused) and every response of the outside corpus.
func FuzzParseResponse(f *testing.F) {
	f.Add([]byte(`<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol"/>`))
	f.Add([]byte(`<a b='>' c="<"><!-- <x> --><![CDATA[<y>]]></a>`))
	cat := addResponseSeeds(f)
	sp := catalogueSP(f, cat)
	exp := Expect{RequestID: cat.RequestID, Now: cat.Now}
	f.Fuzz(func(t *testing.T, doc []byte) {
		id, err := sp.ParseResponse(samltest.Encode(doc), exp)
		var refusal *gatehouse.Refusal
		if err != nil && !errors.As(err, &refusal) {
			t.Fatalf("ParseResponse() = %v; want an Identity or a refusal", err)
		}
		if err != nil {
			return
		}
		for _, v := range append([]string{id.Login}, id.Groups...) {
			if !signedValues[v] {
				t.Errorf("ParseResponse() accepted %q, which the trusted key never signed", v)
			}
		}
	})
}

// FuzzParseMetadata feeds ParseMetadata any document: it must answer with
// metadata or a *gatehouse.Error naming the metadata, never another error
// or a panic. Seeds: the IdP metadata of the outside corpus and of this
// package's tests.
func FuzzParseMetadata(f *testing.F) {
	f.Add(idpMetadataXML(f, signingKey+redirectSSO))
	f.Add([]byte(`<EntitiesDescriptor xmlns="urn:oasis:names:tc:SAML:2.0:metadata"><EntityDescriptor entityID="x"/></EntitiesDescriptor>`))
	for _, seed := range corpusMetadataSeeds(f) {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, doc []byte) {
		md, err := ParseMetadata(doc)
		var ge *gatehouse.Error
		switch {
		case err != nil && (!errors.As(err, &ge) || ge.Code != gatehouse.EINVALID):
			t.Errorf("ParseMetadata() = %v; want metadata or an EINVALID error", err)
		case err == nil && (md.EntityID == "" || md.SSOURL == "" || len(md.Certificates) == 0):
			t.Errorf("ParseMetadata() = %+v; want an entity ID, an SSO URL and a certificate", md)
		}
	})
}

// FuzzScan checks the byte scan against the parser crewjam/saml reads
// with (etree): whatever document the scan lets through, the parser must
// find no DOCTYPE or other directive, the same root, and no more
// assertions under it than the scan counted (ParseResponse refuses two on
// that count; crewjam/saml would use the first). Seeds: the outside
// corpus and the catalogue.
func FuzzScan(f *testing.F) {
	f.Add([]byte(`<a b='>' c="<"><!-- <x> --><![CDATA[<y>]]></a>`))
	f.Add([]byte(`<!DOCTYPE a [<!ENTITY b "c">]><a>&b;</a>`))
	addResponseSeeds(f)
	f.Fuzz(func(t *testing.T, doc []byte) {
		sh, err := scan(doc)
		if err != nil {
			return
		}
		parsed := etree.NewDocument()
		if err := parsed.ReadFromBytes(doc); err != nil || parsed.Root() == nil {
			return
		}
		for _, tok := range parsed.Child {
			if _, ok := tok.(*etree.Directive); ok {
				t.Fatalf("scan() accepted a document with a directive")
			}
		}
		root := parsed.Root()
		if root.Tag != sh.root {
			t.Errorf("scan() root = %q; the parser reads %q", sh.root, root.Tag)
		}
		n := 0
		for _, el := range root.ChildElements() {
			if el.Tag == "Assertion" || el.Tag == "EncryptedAssertion" {
				n++
			}
		}
		if n > sh.assertions+sh.encrypted {
			t.Errorf("scan() counted %d assertions; the parser finds %d", sh.assertions+sh.encrypted, n)
		}
	})
}

// addResponseSeeds adds to f the XML of every response of the outside
// corpus (when it is present) and of every case of the attack catalogue,
// and returns the catalogue.
func addResponseSeeds(f *testing.F) *samltest.Catalogue {
	dir, cases := corpusIfPresent(f)
	for _, c := range cases {
		body := corpusRead(f, dir, c.File)
		if c.Encoding != "xml" {
			raw, err := base64.StdEncoding.DecodeString(strings.TrimSpace(body))
			if err != nil {
				continue // the deflated case: no XML to seed with
			}
			body = string(raw)
		}
		f.Add([]byte(body))
	}
	cat := MustCatalogue(f)
	for _, c := range cat.Cases {
		doc, err := cat.XML(c)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(doc)
	}
	return cat
}

// corpusMetadataSeeds returns the IdP metadata documents shipped with the
// outside corpus, or nothing when it is absent.
func corpusMetadataSeeds(tb testing.TB) [][]byte {
	dir, _ := corpusIfPresent(tb)
	if dir == "" {
		return nil
	}
	var seeds [][]byte
	err := filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.Contains(strings.ToLower(d.Name()), "metadata") {
			return err
		}
		b, err := os.ReadFile(path)
		seeds = append(seeds, b)
		return err
	})
	if err != nil {
		tb.Fatal(err)
	}
	return seeds
}
