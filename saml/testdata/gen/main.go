// Command gen writes the key and certificate fixtures of package saml's
// tests. Run it from the saml directory, after changing what it makes:
//
//	go run ./testdata/gen
//
// The tests freeze the clock at 2025-06-01T12:00:00Z; every certificate's
// validity is stated relative to that.
package main

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"log"
	"math/big"
	"os"
	"path/filepath"
	"time"
)

// fixture is one key pair to write as NAME.key and NAME.crt.
type fixture struct {
	name      string
	key       func() (crypto.Signer, error)
	notBefore time.Time
	notAfter  time.Time
}

func main() {
	log.SetFlags(0)
	rsaKey := func(bits int) func() (crypto.Signer, error) {
		return func() (crypto.Signer, error) { return rsa.GenerateKey(rand.Reader, bits) }
	}
	valid := func(name string, key func() (crypto.Signer, error)) fixture {
		return fixture{name, key, date(2020, 1, 1), date(2040, 1, 1)}
	}
	fixtures := []fixture{
		valid("idp", rsaKey(2048)),
		valid("idp-other", rsaKey(2048)),
		valid("idp-ecdsa", func() (crypto.Signer, error) { return ecdsa.GenerateKey(elliptic.P256(), rand.Reader) }),
		valid("idp-rsa1024", rsaKey(1024)),
		valid("sp", rsaKey(2048)),
		valid("sp-other", rsaKey(2048)),
		{"idp-expired", rsaKey(2048), date(2020, 1, 1), date(2025, 5, 1)},
		{"idp-expiring", rsaKey(2048), date(2020, 1, 1), date(2025, 6, 15)},
	}
	for _, f := range fixtures {
		if err := write(f); err != nil {
			log.Fatalf("%s: %v", f.name, err)
		}
	}
}

func write(f fixture) error {
	key, err := f.key()
	if err != nil {
		return err
	}
	template := &x509.Certificate{
		SerialNumber: big.NewInt(time.Now().UnixNano()),
		Subject:      pkix.Name{CommonName: "gatehouse test " + f.name},
		NotBefore:    f.notBefore,
		NotAfter:     f.notAfter,
		KeyUsage:     x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment,
	}
	der, err := x509.CreateCertificate(rand.Reader, template, template, key.Public(), key)
	if err != nil {
		return err
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join("testdata", f.name+".key"), pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER}), 0o644); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join("testdata", f.name+".crt"), pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o644)
}

func date(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }
