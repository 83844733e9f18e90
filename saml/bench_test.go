package saml

import (
	"encoding/base64"
	"fmt"
	"testing"

	dsig "github.com/russellhaering/goxmldsig"
)

// BenchmarkParseResponse compares ParseResponse with the bare crewjam/saml
// ParseXMLResponse (after the same base64 decoding) on the same
// RSA-2048-signed Response, with 10 and 150 group values. The product
// target is that ParseResponse costs at most 1.3 times the bare call.
func BenchmarkParseResponse(b *testing.B) {
	for _, n := range []int{10, 150} {
		sp := MustNew(b, testConnection(b))
		l := testLogin()
		values := make([]string, n)
		for i := range values {
			values[i] = fmt.Sprintf("group-%03d", i)
		}
		setAttribute("groups", values...)(&l)
		form := MustResponse(b, MustIdP(b, "idp"), l)
		b.Run(fmt.Sprintf("groups=%d/gatehouse", n), func(b *testing.B) {
			b.ReportAllocs()
			exp := Expect{RequestID: testRequestID, Now: testNow}
			for b.Loop() {
				id, err := sp.ParseResponse(form, exp)
				if err != nil || len(id.Groups) != n {
					b.Fatalf("ParseResponse() = %v; want %d groups", err, n)
				}
			}
		})
		b.Run(fmt.Sprintf("groups=%d/crewjam", n), func(b *testing.B) {
			b.ReportAllocs()
			bare := *sp.sp
			bare.Clock = dsig.NewFakeClockAt(testNow)
			for b.Loop() {
				doc, err := base64.StdEncoding.DecodeString(form)
				if err != nil {
					b.Fatal(err)
				}
				a, err := bare.ParseXMLResponse(doc, []string{testRequestID}, bare.AcsURL)
				if err != nil || len(a.AttributeStatements[0].Attributes[3].Values) != n {
					b.Fatalf("ParseXMLResponse() = %v; want %d groups", err, n)
				}
			}
		})
	}
}
