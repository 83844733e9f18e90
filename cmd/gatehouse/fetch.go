package main

import (
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"syscall"
	"time"

	"github.com/gatehouse-sso/gatehouse/saml"
)

// newFetchClient returns the HTTP client that fetches IdP metadata. An
// enterprise admin chooses the metadata URL, so unless allowPrivate is set
// the client connects only to public addresses: not to loopback, private,
// link-local or other special ranges, where it could reach the server's own
// network (SSRF). The address is checked when the connection is made, after
// DNS resolution and on every redirect, so a name that resolves to a
// private address is refused too. It uses no proxy.
func newFetchClient(allowPrivate bool) *http.Client {
	dialer := &net.Dialer{Timeout: saml.DefaultFetchTimeout}
	if !allowPrivate {
		dialer.Control = refusePrivate
	}
	return &http.Client{
		Timeout: saml.DefaultFetchTimeout,
		Transport: &http.Transport{
			Proxy:                 nil,
			DialContext:           dialer.DialContext,
			TLSHandshakeTimeout:   saml.DefaultFetchTimeout,
			ResponseHeaderTimeout: saml.DefaultFetchTimeout,
			MaxIdleConns:          4,
			IdleConnTimeout:       30 * time.Second,
		},
	}
}

// refusePrivate is a net.Dialer Control that refuses addresses outside
// the public internet.
func refusePrivate(network, address string, _ syscall.RawConn) error {
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return fmt.Errorf("metadata fetch: unexpected address %q", address)
	}
	if a := ap.Addr().Unmap(); !publicAddr(a) {
		return fmt.Errorf("%s is not a public address; Gatehouse fetches metadata only from the internet (an operator can allow private addresses with --allow-private-metadata-urls)", a)
	}
	return nil
}

// publicAddr reports whether a is a routable public unicast address.
func publicAddr(a netip.Addr) bool {
	switch {
	case !a.IsValid(), a.IsLoopback(), a.IsPrivate(), a.IsLinkLocalUnicast(), a.IsLinkLocalMulticast(),
		a.IsInterfaceLocalMulticast(), a.IsMulticast(), a.IsUnspecified():
		return false
	}
	for _, p := range specialRanges {
		if p.Contains(a) {
			return false
		}
	}
	return true
}

// specialRanges are ranges that netip's predicates do not cover and that
// must not be reached either: shared address space (carrier-grade NAT),
// the IETF protocol assignments, benchmarking and reserved ranges, and
// IPv4-translated and discard-only IPv6 prefixes.
var specialRanges = []netip.Prefix{
	netip.MustParsePrefix("0.0.0.0/8"),
	netip.MustParsePrefix("100.64.0.0/10"),
	netip.MustParsePrefix("192.0.0.0/24"),
	netip.MustParsePrefix("198.18.0.0/15"),
	netip.MustParsePrefix("240.0.0.0/4"),
	netip.MustParsePrefix("64:ff9b::/96"),
	netip.MustParsePrefix("64:ff9b:1::/48"),
	netip.MustParsePrefix("100::/64"),
}
