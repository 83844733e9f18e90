package web

import (
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gatehouse-sso/gatehouse"
	"github.com/gatehouse-sso/gatehouse/admin"
	"github.com/gatehouse-sso/gatehouse/login"
)

// ssoAttemptsShown is how many recent SSO attempts the page lists.
const ssoAttemptsShown = 20

// registerSSORoutes adds Administration › SSO & Provisioning (SPEC §4).
func (s *Server) registerSSORoutes() {
	s.mux.Handle("GET /enterprises/{key}/sso", s.page(s.ssoPage))
	s.mux.Handle("POST /enterprises/{key}/sso", s.action(s.saveSSO, s.ssoPage))
	s.mux.Handle("POST /enterprises/{key}/sso/refresh", s.action(s.refreshSSO, s.ssoPage))
	s.mux.Handle("POST /enterprises/{key}/sso/delete", s.action(s.deleteSSO, s.ssoPage))
	s.mux.Handle("POST /enterprises/{key}/sso/test", s.action(s.testSSO, s.ssoPage))
}

// A copyField is a read-only value with a copy button.
type copyField struct {
	ID, Label, Hint, Value string
}

// An attributePreset is an option of the attribute names' preset menu.
type attributePreset struct {
	Value, Label string
	Names        gatehouse.AttributeNames
}

// attributePresets are the presets of SPEC §2, and "custom".
var attributePresets = []attributePreset{
	{admin.PresetDefault, "Okta and most identity providers: login, name, email, groups", gatehouse.DefaultAttributes},
	{admin.PresetEntra, "Microsoft Entra ID claims", gatehouse.EntraAttributes},
	{admin.PresetCustom, "Custom names", gatehouse.AttributeNames{}},
}

// ssoForm is the connection form's starting values: the connection's, or
// those of a new one.
type ssoForm struct {
	Method, MetadataURL, EntityID, SSOURL, Certificates string
	Preset                                              string
	Attributes                                          gatehouse.AttributeNames
	SignRequests, WantEncrypted, AllowSHA1              bool
	ClockSkew                                           string
}

// ssoData is the data of the SSO & Provisioning page.
type ssoData struct {
	enterpriseView
	Setup *admin.SSOSetup
	// Values are the SP values to enter in the IdP; Invite the login URL.
	Values   []copyField
	Invite   copyField
	Form     ssoForm
	Presets  []attributePreset
	Attempts []*gatehouse.AuditEvent
	// ForceDelete is set when deleting was refused by the safety rule of
	// SPEC §2: the page then offers to delete anyway.
	ForceDelete bool
}

// ssoPage renders "GET /enterprises/{key}/sso".
func (s *Server) ssoPage(w http.ResponseWriter, r *http.Request, c *console) error {
	setup, err := s.cfg.Admin.SSOSetup(r.Context(), c.actor, r.PathValue("key"))
	if err != nil {
		return err
	}
	d := ssoData{enterpriseView: enterpriseView{consoleView: c.view(), Enterprise: setup.Enterprise, Section: "SSO & Provisioning"},
		Setup: setup, Form: formOf(setup.View), Presets: attributePresets,
		ForceDelete: c.failed != nil && (c.failed.Form == "delete-sso" && c.status == http.StatusConflict || c.failed.Form == "force-delete-sso")}
	d.Values = []copyField{
		{"sp-entity-id", "SP entity ID", "Also called Audience URI or Identifier.", setup.EntityID},
		{"sp-acs-url", "ACS URL", "Also called Single sign-on URL or Reply URL. Make it the only one, or the default.", setup.ACSURL},
		{"sp-metadata-url", "SP metadata URL", "For identity providers that read the service provider's metadata.", setup.MetadataURL},
	}
	d.Invite = copyField{"sso-login-url", "SSO login URL", "Paste it into your invitation message: users start their login here (SP-initiated).", setup.LoginURL}
	if setup.View != nil {
		if d.Attempts, err = s.cfg.Admin.SSOAttempts(r.Context(), c.actor, setup.Enterprise.Key, ssoAttemptsShown); err != nil {
			return err
		}
	}
	return s.render(w, r, c, "sso", "SSO & Provisioning · "+setup.Enterprise.Name, d)
}

// formOf returns the connection form's values for view (nil: a new one).
func formOf(view *admin.SSOView) ssoForm {
	f := ssoForm{Method: "metadata_url", Preset: admin.PresetDefault, Attributes: gatehouse.DefaultAttributes,
		ClockSkew: strconv.Itoa(int(gatehouse.DefaultClockSkew / time.Second))}
	if view == nil {
		return f
	}
	conn := view.Connection
	f = ssoForm{Method: "manual", MetadataURL: conn.MetadataURL, EntityID: conn.IdPEntityID, SSOURL: conn.SSOURL,
		Certificates: strings.Join(conn.Certificates, "\n"), Preset: admin.PresetCustom, Attributes: conn.Attributes,
		SignRequests: conn.SignRequests, WantEncrypted: conn.WantEncryptedAssertions, AllowSHA1: conn.AllowSHA1,
		ClockSkew: strconv.Itoa(int(conn.ClockSkew / time.Second))}
	if conn.MetadataURL != "" {
		f.Method = "metadata_url"
	}
	for _, p := range attributePresets[:2] {
		if p.Names == conn.Attributes {
			f.Preset = p.Value
		}
	}
	return f
}

// saveSSO handles "POST /enterprises/{key}/sso": the connection form.
func (s *Server) saveSSO(w http.ResponseWriter, r *http.Request, c *console) (outcome, error) {
	in, err := ssoInput(r)
	if err != nil {
		return outcome{}, err
	}
	if _, err := s.cfg.Admin.PutSSO(r.Context(), c.actor, r.PathValue("key"), in); err != nil {
		return outcome{}, err
	}
	return outcome{Notice: "The SSO connection was saved. Use Test SSO to check it before you invite your users.", Redirect: enterprisePath(r, "/sso")}, nil
}

// ssoInput reads the connection form of r.
func ssoInput(r *http.Request) (admin.SSOInput, error) {
	f := r.PostForm
	in := admin.SSOInput{SignRequests: f.Get("sign_requests") == "on", WantEncryptedAssertions: f.Get("want_encrypted") == "on",
		AllowSHA1: f.Get("allow_sha1") == "on"}
	switch f.Get("method") {
	case "metadata_url":
		if in.MetadataURL = strings.TrimSpace(f.Get("metadata_url")); in.MetadataURL == "" {
			return in, gatehouse.Invalidf("metadata_url", "Enter the URL of your identity provider's metadata.")
		}
	case "metadata_xml":
		doc, err := metadataDocument(r)
		if err != nil {
			return in, err
		}
		in.MetadataXML = doc
	case "manual":
		in.IdPEntityID, in.SSOURL, in.Certificates = f.Get("entity_id"), f.Get("sso_url"), splitPEM(f.Get("certificates"))
	default:
		return in, gatehouse.Invalidf("method", "Choose how to describe your identity provider: metadata URL, metadata XML, or by hand.")
	}
	// A preset ignores the fields, which script fills from it; "custom"
	// takes them as typed, empty ones included.
	if in.Preset = f.Get("preset"); in.Preset == admin.PresetCustom {
		in.Attributes = gatehouse.AttributeNames{Login: f.Get("attr_login"), Name: f.Get("attr_name"), Email: f.Get("attr_email"), Groups: f.Get("attr_groups")}
	}
	skew, err := strconv.Atoi(strings.TrimSpace(f.Get("clock_skew")))
	if err != nil {
		return in, gatehouse.Invalidf("clock_skew_seconds", "The clock skew is a number of seconds, such as 90.")
	}
	d := time.Duration(skew) * time.Second
	in.ClockSkew = &d
	return in, nil
}

// metadataDocument returns the uploaded metadata file of r, or else the
// pasted XML.
func metadataDocument(r *http.Request) (string, error) {
	if r.MultipartForm != nil && len(r.MultipartForm.File["metadata_file"]) > 0 {
		fh := r.MultipartForm.File["metadata_file"][0]
		f, err := fh.Open()
		if err != nil {
			return "", fmt.Errorf("open metadata upload: %w", err)
		}
		defer f.Close()
		doc, err := io.ReadAll(f)
		if err != nil {
			return "", fmt.Errorf("read metadata upload: %w", err)
		}
		if len(strings.TrimSpace(string(doc))) > 0 {
			return string(doc), nil
		}
	}
	doc := strings.TrimSpace(r.PostForm.Get("metadata_xml"))
	if doc == "" {
		return "", gatehouse.Invalidf("metadata_xml", "Paste your identity provider's metadata XML, or choose its file.")
	}
	return doc, nil
}

// splitPEM splits pasted certificates into PEM blocks, one per certificate.
func splitPEM(s string) []string {
	var out []string
	for _, part := range strings.SplitAfter(s, "-----END CERTIFICATE-----") {
		if p := strings.TrimSpace(part); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// refreshSSO handles "POST /enterprises/{key}/sso/refresh": fetch the IdP
// metadata again, now.
func (s *Server) refreshSSO(w http.ResponseWriter, r *http.Request, c *console) (outcome, error) {
	if _, err := s.cfg.Admin.RefreshSSOMetadata(r.Context(), c.actor, r.PathValue("key")); err != nil {
		return outcome{}, err
	}
	return outcome{Notice: "The identity provider's metadata was fetched again.", Redirect: enterprisePath(r, "/sso")}, nil
}

// deleteSSO handles "POST /enterprises/{key}/sso/delete". force=yes, sent
// by the second confirmation the page shows after a refusal, deletes even
// when an organization is left without an admin who can log in without
// SSO (SPEC §2).
func (s *Server) deleteSSO(w http.ResponseWriter, r *http.Request, c *console) (outcome, error) {
	force := r.PostForm.Get("force") == "yes"
	if force && r.PostForm.Get("understood") != "yes" {
		return outcome{}, gatehouse.Invalidf("understood", "Tick the box to confirm that you want to delete the connection anyway.")
	}
	if err := s.cfg.Admin.DeleteSSO(r.Context(), c.actor, r.PathValue("key"), force); err != nil {
		return outcome{}, err
	}
	return outcome{Notice: "The SSO connection was deleted: SSO users can no longer log in.", Redirect: enterprisePath(r, "/sso")}, nil
}

// testSSO handles "POST /enterprises/{key}/sso/test": it starts a Test SSO
// and sends the browser to the identity provider.
func (s *Server) testSSO(w http.ResponseWriter, r *http.Request, c *console) (outcome, error) {
	start, err := s.cfg.Login.StartTestSSO(r.Context(), c.actor, r.PathValue("key"), cookieValue(r, bindingCookie))
	if err != nil {
		return outcome{}, err
	}
	s.setCookie(w, bindingCookie, start.BrowserSecret, bindingLifetime, s.bindingSameSite())
	return outcome{Redirect: start.RedirectURL}, nil
}

// ssoTestData is the data of the Test SSO result page.
type ssoTestData struct {
	Report *login.TestReport
	// refusalExplanation explains a refusal, as the login error page does.
	refusalExplanation
	// Back is the SSO & Provisioning page.
	Back string
}

// renderTestSSO shows what a Test SSO received, answering the Response
// posted to the ACS. The IdP posts it cross-site, so the session cookie
// (SameSite=Lax) comes along only when the IdP is on the same site: the
// header is shown when it does.
func (s *Server) renderTestSSO(w http.ResponseWriter, r *http.Request, rep *login.TestReport) {
	r, err := s.navRequest(r)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	d := ssoTestData{Report: rep, Back: "/enterprises/" + rep.Enterprise.Key + "/sso"}
	if ref := rep.Refusal; ref != nil {
		d.refusalExplanation = explainRefusal(ref, [3]string{"The response was refused", "Gatehouse could not verify the response: %s.",
			"Check the identity provider's settings against the values on the SSO & Provisioning page."})
	}
	s.renderTitled(w, r, http.StatusOK, "sso_test", "Test SSO · "+rep.Enterprise.Name, d)
}
