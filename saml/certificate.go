package saml

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"encoding/pem"
	"fmt"
	"math/big"
	"strings"
	"time"

	"github.com/gatehouse-sso/gatehouse"
)

// MinRSAKeyBits is the smallest RSA key Gatehouse trusts to sign a
// response: NIST SP 800-131A has disallowed 1024-bit RSA signatures since
// 2013.
const MinRSAKeyBits = 2048

// MaxRSAKeyBits is the largest RSA key Gatehouse verifies signatures with.
// Verifying with a larger key costs CPU on every login for no security an
// IdP needs.
const MaxRSAKeyBits = 8192

// CertificateExpiryWarning is how long before a certificate expires that
// CertificateWarnings starts warning (SPEC §4).
const CertificateExpiryWarning = 30 * 24 * time.Hour

// spKeyBits is the size of the RSA keys NewSPKeyPair makes.
const spKeyBits = 2048

// spCertificateLifetime is how long the certificates NewSPKeyPair makes are
// valid.
const spCertificateLifetime = 10 * 365 * 24 * time.Hour

// ValidateCertificates reports the first of pems that Gatehouse cannot use
// as an IdP signing certificate: not a PEM certificate, or a key of a type
// or size it does not accept. The *gatehouse.Error names the field
// "certificates[i]".
func ValidateCertificates(pems []string) error {
	if len(pems) == 0 {
		return gatehouse.Invalidf("certificates", "At least one IdP signing certificate is required.")
	}
	for i, p := range pems {
		cert, err := parseCertificate(p, i)
		if err != nil {
			return err
		}
		if problem := defaultKeyPolicy().problem(cert); problem != "" {
			return gatehouse.Invalidf(certificateField(i), "Certificate %d (%s) %s.", i+1, describe(cert), problem)
		}
	}
	return nil
}

// CertificateWarnings returns one sentence for each of pems that is
// expired, not yet valid, or expires within CertificateExpiryWarning of
// now. Such certificates are accepted, with a warning on the SSO page;
// responses signed with an expired one are refused. PEMs that do not parse
// are left to ValidateCertificates.
func CertificateWarnings(pems []string, now time.Time) []string {
	var warnings []string
	for i, p := range pems {
		cert, err := parseCertificate(p, i)
		if err != nil {
			continue
		}
		switch {
		case now.After(cert.NotAfter):
			warnings = append(warnings, fmt.Sprintf("Certificate %d (%s) expired on %s: responses signed with it are refused.",
				i+1, describe(cert), cert.NotAfter.UTC().Format(time.DateOnly)))
		case now.Before(cert.NotBefore):
			warnings = append(warnings, fmt.Sprintf("Certificate %d (%s) is not valid before %s: responses signed with it are refused until then.",
				i+1, describe(cert), cert.NotBefore.UTC().Format(time.DateOnly)))
		case cert.NotAfter.Sub(now) < CertificateExpiryWarning:
			days := int(cert.NotAfter.Sub(now).Hours() / 24)
			warnings = append(warnings, fmt.Sprintf("Certificate %d (%s) expires on %s, in %d days: add the IdP's next certificate before then.",
				i+1, describe(cert), cert.NotAfter.UTC().Format(time.DateOnly), days))
		}
	}
	return warnings
}

// NewSPKeyPair makes an enterprise's own key pair: an RSA-2048 key (PKCS #8
// PEM) and a self-signed certificate (PEM) valid for ten years from now,
// with which Gatehouse signs AuthnRequests and IdPs encrypt assertions.
func NewSPKeyPair(now time.Time) (keyPEM, certPEM string, err error) {
	key, err := rsa.GenerateKey(rand.Reader, spKeyBits)
	if err != nil {
		return "", "", fmt.Errorf("generate sp key: %w", err)
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
	if err != nil {
		return "", "", fmt.Errorf("generate sp certificate serial: %w", err)
	}
	template := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{CommonName: "Gatehouse SAML service provider"},
		NotBefore:             now.UTC().Truncate(time.Second),
		NotAfter:              now.UTC().Truncate(time.Second).Add(spCertificateLifetime),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment,
		BasicConstraintsValid: true,
	}
	der, err := x509.CreateCertificate(rand.Reader, template, template, &key.PublicKey, key)
	if err != nil {
		return "", "", fmt.Errorf("create sp certificate: %w", err)
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return "", "", fmt.Errorf("marshal sp key: %w", err)
	}
	keyPEM = string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER}))
	certPEM = string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}))
	return keyPEM, certPEM, nil
}

// parseCertificate parses the i-th configured certificate, a PEM
// CERTIFICATE block.
func parseCertificate(p string, i int) (*x509.Certificate, error) {
	block, rest := pem.Decode([]byte(strings.TrimSpace(p)))
	if block == nil || block.Type != "CERTIFICATE" {
		return nil, gatehouse.Invalidf(certificateField(i), "Certificate %d is not a PEM certificate (-----BEGIN CERTIFICATE-----).", i+1)
	}
	if len(strings.TrimSpace(string(rest))) > 0 {
		return nil, gatehouse.Invalidf(certificateField(i), "Certificate %d holds more than one PEM block; add each certificate separately.", i+1)
	}
	cert, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		return nil, gatehouse.Invalidf(certificateField(i), "Certificate %d cannot be read: %v.", i+1, err)
	}
	return cert, nil
}

// A keyPolicy is the range of RSA key sizes trusted to sign responses.
type keyPolicy struct {
	minRSABits, maxRSABits int
}

// defaultKeyPolicy is MinRSAKeyBits to MaxRSAKeyBits.
func defaultKeyPolicy() keyPolicy {
	return keyPolicy{minRSABits: MinRSAKeyBits, maxRSABits: MaxRSAKeyBits}
}

// problem says what is wrong with the public key of an IdP signing
// certificate, or "" if nothing is.
func (p keyPolicy) problem(cert *x509.Certificate) string {
	switch key := cert.PublicKey.(type) {
	case *rsa.PublicKey:
		bits := key.N.BitLen()
		if bits < p.minRSABits || bits > p.maxRSABits {
			return fmt.Sprintf("has a %d-bit RSA key; Gatehouse accepts %d to %d bits", bits, p.minRSABits, p.maxRSABits)
		}
	case *ecdsa.PublicKey:
		if key.Curve != elliptic.P256() && key.Curve != elliptic.P384() && key.Curve != elliptic.P521() {
			return fmt.Sprintf("has an ECDSA key on curve %s; Gatehouse accepts P-256, P-384 and P-521", key.Curve.Params().Name)
		}
	default:
		return fmt.Sprintf("has a %T key; XML signatures from an IdP use RSA or ECDSA", cert.PublicKey)
	}
	return ""
}

// describe names a certificate for a person: its subject's common name (or
// whole subject) and the start of its SHA-256 fingerprint.
func describe(cert *x509.Certificate) string {
	name := cert.Subject.CommonName
	if name == "" {
		name = cert.Subject.String()
	}
	sum := sha256.Sum256(cert.Raw)
	return fmt.Sprintf("%s, SHA-256 %s…", name, strings.ToUpper(hex.EncodeToString(sum[:6])))
}

func certificateField(i int) string { return fmt.Sprintf("certificates[%d]", i) }
