package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gatehouse-sso/gatehouse"
	"github.com/gatehouse-sso/gatehouse/admin"
)

func TestPublicAddr(t *testing.T) {
	tests := []struct {
		addr string
		want bool
	}{
		{"203.0.113.10", true},
		{"8.8.8.8", true},
		{"2606:4700::1111", true},
		{"127.0.0.1", false},
		{"10.1.2.3", false},
		{"172.16.0.1", false},
		{"192.168.1.1", false},
		{"169.254.169.254", false},
		{"100.64.0.1", false},
		{"0.0.0.0", false},
		{"::1", false},
		{"fe80::1", false},
		{"fd00::1", false},
		{"::ffff:127.0.0.1", false},
		{"64:ff9b::a00:1", false},
	}
	for _, tt := range tests {
		if got := publicAddr(netip.MustParseAddr(tt.addr).Unmap()); got != tt.want {
			t.Errorf("publicAddr(%s) = %v; want %v", tt.addr, got, tt.want)
		}
	}
}

func TestFetchClientRefusesPrivateAddresses(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, "ok") }))
	defer srv.Close()
	if _, err := newFetchClient(false).Get(srv.URL); err == nil || !strings.Contains(err.Error(), "127.0.0.1 is not a public address") {
		t.Errorf("fetch from loopback = %v; want a refusal naming the address", err)
	}
	resp, err := newFetchClient(true).Get(srv.URL)
	if err != nil {
		t.Fatalf("fetch with private addresses allowed: %v", err)
	}
	resp.Body.Close()
}

// TestServeRefusesPrivateMetadataURLs checks the wiring: a server started
// without --allow-private-metadata-urls refuses a metadata URL on loopback
// and says why, naming the field.
func TestServeRefusesPrivateMetadataURLs(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, "<EntityDescriptor/>") }))
	defer srv.Close()
	m := &Main{Config: Config{Addr: "127.0.0.1:0", DB: filepath.Join(t.TempDir(), "g.db")}, Logger: slog.New(slog.DiscardHandler)}
	if err := m.Open(context.Background()); err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	ctx := context.Background()
	if err := m.Admin.CreateEnterprise(ctx, gatehouse.Operator, &gatehouse.Enterprise{Key: "acme", Name: "Acme"}); err != nil {
		t.Fatal(err)
	}
	_, err := m.Admin.PutSSO(ctx, gatehouse.Operator, "acme", admin.SSOInput{MetadataURL: srv.URL})
	var ge *gatehouse.Error
	if !errors.As(err, &ge) || ge.Field != "metadata_url" || !strings.Contains(ge.Message, "not a public address") {
		t.Errorf("PutSSO(loopback metadata URL) = %v; want a refusal of metadata_url saying it is not public", err)
	}
}
