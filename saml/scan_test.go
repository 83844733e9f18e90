package saml

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestScan(t *testing.T) {
	const (
		open  = `<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" xmlns:ds="http://www.w3.org/2000/09/xmldsig#" Destination="https://sp/acs">`
		close = `</samlp:Response>`
	)
	tests := []struct {
		name    string
		doc     string
		want    shape
		wantErr error
	}{
		{
			name: "a Response signed around a signed assertion",
			doc:  `<?xml version="1.0"?>` + open + `<saml:Issuer>i</saml:Issuer><ds:Signature/><saml:Assertion><ds:Signature/></saml:Assertion>` + close,
			want: shape{root: "Response", destination: "https://sp/acs", hasDestination: true, assertions: 1, responseSigned: true, assertionSigned: true},
		},
		{
			name: "a signature in another namespace counts for nothing",
			doc:  open + `<x:Signature xmlns:x="urn:other"/><saml:Assertion><Signature/></saml:Assertion>` + close,
			want: shape{root: "Response", destination: "https://sp/acs", hasDestination: true, assertions: 1},
		},
		{
			name: "a default namespace declared on the signature",
			doc:  open + `<Signature xmlns="http://www.w3.org/2000/09/xmldsig#"/><saml:EncryptedAssertion/>` + close,
			want: shape{root: "Response", destination: "https://sp/acs", hasDestination: true, encrypted: 1, responseSigned: true},
		},
		{
			name: "a signature deeper in the assertion is not the assertion's",
			doc:  open + `<saml:Assertion><saml:Advice><ds:Signature/></saml:Advice></saml:Assertion>` + close,
			want: shape{root: "Response", destination: "https://sp/acs", hasDestination: true, assertions: 1},
		},
		{
			name: "assertions counted in any namespace, markup in comments, CDATA and attributes ignored",
			doc: open + `<!-- <saml:Assertion> --><x:Assertion xmlns:x="urn:x" a='>' b="/>"/><![CDATA[<saml:Assertion>]]>` +
				`<saml:Assertion/><saml:EncryptedAssertion></saml:EncryptedAssertion>` + close,
			want: shape{root: "Response", destination: "https://sp/acs", hasDestination: true, assertions: 2, encrypted: 1},
		},
		{name: "a DOCTYPE", doc: `<!DOCTYPE Response>` + open + close, wantErr: errDeclaration},
		{name: "an entity declaration inside the root", doc: open + `<!ENTITY x "y">` + close, wantErr: errDeclaration},
		{name: "nesting deeper than the bound", doc: strings.Repeat("<a>", maxDepth+1) + strings.Repeat("</a>", maxDepth+1), wantErr: errTooDeep},
		{name: "two root elements", doc: `<a/><b/>`, wantErr: errStructure},
		{name: "an unclosed element", doc: `<a><b></b>`, wantErr: errStructure},
		{name: "an unterminated comment", doc: `<a><!-- </a>`, wantErr: errStructure},
		{name: "an unquoted attribute", doc: `<a b=c/>`, wantErr: errStructure},
		{name: "no element", doc: `just text`, wantErr: errStructure},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := scan([]byte(tt.doc))
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("scan() = %v; want %v", err, tt.wantErr)
			}
			if diff := cmp.Diff(tt.want, got, cmp.AllowUnexported(shape{})); diff != "" {
				t.Errorf("scan() mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestScanAcceptsDepthAtTheBound(t *testing.T) {
	doc := strings.Repeat("<a>", maxDepth) + strings.Repeat("</a>", maxDepth)
	if _, err := scan([]byte(doc)); err != nil {
		t.Errorf("scan(%d levels) = %v; want nil", maxDepth, err)
	}
}
