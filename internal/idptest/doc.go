// Package idptest runs a real SimpleSAMLphp identity provider for end-to-end tests.
//
// [StartSimpleSAMLphp] starts the IdP through the peer script
// simplesamlphp/run-idp.sh (found in GATEHOUSE_PEERS_DIR, or testdata/peers in the
// repository) on a free 127.0.0.1 port, with the service providers and users a test gives
// it, and stops it when the test ends. [SampleUsers] are the users of the peer's
// users.example.php; [NewUser] builds more. [IdP.LogIn] signs a user in without a browser,
// the way a browser would, and returns the Response the IdP posts to the SP.
//
// The package owns no SAML validation: tests hand the Response to the code under test.
// When PHP or SimpleSAMLphp is missing the test is skipped, or fails when
// GATEHOUSE_TEST_REQUIRE_PEERS=1 (as scripts/test sets it), saying what to install.
package idptest
