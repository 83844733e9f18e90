package devidp

import (
	"bytes"
	"html/template"
	"net/http"
)

// layout is shared by every page: the style and the "not for production" banner.
const layout = `
{{define "head"}}<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.}} · Gatehouse development IdP</title>
<style>
  body { margin: 0; font: 15px/1.5 system-ui, -apple-system, "Segoe UI", sans-serif; color: #1f2933; background: #f3f4f6; }
  .banner { background: #b45309; color: #fff; text-align: center; padding: .5rem 1rem; font-weight: 600; }
  main { max-width: 52rem; margin: 2.5rem auto; padding: 0 1rem; }
  .card { background: #fff; border-radius: 10px; box-shadow: 0 1px 3px rgba(0,0,0,.12); padding: 1.75rem 2rem; margin-bottom: 1.5rem; }
  h1 { font-size: 1.4rem; margin: 0 0 .25rem; }
  h2 { font-size: 1.05rem; margin: 0 0 .75rem; }
  .muted { color: #6b7280; margin: 0 0 1.25rem; }
  code { background: #f3f4f6; padding: .1rem .3rem; border-radius: 4px; font-size: .85em; word-break: break-all; }
  table { width: 100%; border-collapse: collapse; }
  th, td { text-align: left; padding: .55rem .5rem; border-bottom: 1px solid #e5e7eb; vertical-align: middle; }
  th { font-size: .75rem; text-transform: uppercase; letter-spacing: .04em; color: #6b7280; }
  .group { display: inline-block; background: #e0e7ff; color: #3730a3; border-radius: 999px; padding: 0 .55rem; margin: 0 .2rem .2rem 0; font-size: .8rem; }
  .none { color: #9ca3af; font-style: italic; }
  form.inline { margin: 0; }
  button { background: #2563eb; color: #fff; border: 0; border-radius: 6px; padding: .45rem .9rem; font: inherit; cursor: pointer; white-space: nowrap; }
  button:hover { background: #1d4ed8; }
  label { display: block; font-weight: 600; margin: .75rem 0 .25rem; }
  input[type=text], input[type=password] { width: 100%; box-sizing: border-box; padding: .5rem .6rem; border: 1px solid #d1d5db; border-radius: 6px; font: inherit; }
  .error { background: #fee2e2; color: #991b1b; border-radius: 6px; padding: .6rem .8rem; margin-bottom: 1rem; }
  .actions { margin-top: 1rem; }
</style></head>
<body><div class="banner">Development IdP — not for production</div><main>{{end}}
{{define "foot"}}</main></body></html>{{end}}
{{define "users"}}<table>
<tr><th>User</th><th>Password</th><th>Groups</th>{{if $.Request}}<th></th>{{end}}</tr>
{{range .Users}}<tr>
  <td><strong>{{.Login}}</strong><br><span class="muted">{{.Name}} · {{.Email}}</span></td>
  <td><code>{{.Password}}</code></td>
  <td>{{range .Groups}}<span class="group">{{.}}</span>{{else}}<span class="none">no groups</span>{{end}}</td>
  {{if $.Request}}<td><form class="inline" method="post" action="{{$.LoginURL}}">
    <input type="hidden" name="request" value="{{$.Request}}">
    <input type="hidden" name="username" value="{{.Login}}">
    <input type="hidden" name="password" value="{{.Password}}">
    <button type="submit" id="login-as-{{.Login}}">Sign in as {{.Login}}</button>
  </form></td>{{end}}
</tr>{{end}}
</table>{{end}}`

var (
	pages = template.Must(template.New("").Parse(layout))

	loginFormPage = page(`{{template "head" "Sign in"}}
<div class="card">
  <h1>Sign in</h1>
  <p class="muted">to <code>{{.SP}}</code></p>
  {{with .Error}}<div class="error" id="error">{{.}}</div>{{end}}
  {{template "users" .}}
</div>
<div class="card">
  <h2>Or type a username and password</h2>
  <form method="post" action="{{.LoginURL}}">
    <input type="hidden" name="request" value="{{.Request}}">
    <label for="username">Username</label><input type="text" id="username" name="username" value="{{.Username}}" autofocus>
    <label for="password">Password</label><input type="password" id="password" name="password">
    <div class="actions"><button type="submit" id="login">Sign in</button></div>
  </form>
</div>
{{template "foot"}}`)

	indexPage = page(`{{template "head" "About"}}
<div class="card">
  <h1>Gatehouse development IdP</h1>
  <p class="muted">A SAML 2.0 identity provider for trying Gatehouse. Start signing in from Gatehouse:
  this IdP answers sign-in requests of registered service providers only.</p>
  <table>
    <tr><th>Entity ID</th><td><code>{{.IdP.EntityID}}</code></td></tr>
    <tr><th>Metadata</th><td><a href="{{.IdP.MetadataURL}}"><code>{{.IdP.MetadataURL}}</code></a></td></tr>
    <tr><th>SSO URL</th><td><code>{{.IdP.SSOURL}}</code> (HTTP-Redirect)</td></tr>
    <tr><th>Service providers</th><td>{{range .ServiceProviders}}<code>{{.}}</code><br>{{else}}<span class="none">none yet</span>{{end}}</td></tr>
  </table>
</div>
<div class="card"><h2>Users</h2>{{template "users" .}}</div>
{{template "foot"}}`)

	errorPage = page(`{{template "head" "Request refused"}}
<div class="card">
  <h1>Request refused</h1>
  <div class="error" id="error">{{.Message}}</div>
  <p class="muted">Detail: <code>{{.Detail}}</code></p>
  <p><a href="{{.IndexURL}}">About this IdP</a></p>
</div>
{{template "foot"}}`)

	// responseFormPage is crewjam's ResponseFormTemplate, executed with a
	// saml.IdpAuthnRequestForm: it posts the Response to the ACS at once.
	responseFormPage = page(`{{template "head" "Signing in"}}
<div class="card">
  <h1>Signing you in…</h1>
  <form method="post" action="{{.URL}}" id="SAMLResponseForm">
    <input type="hidden" name="SAMLResponse" value="{{.SAMLResponse}}">
    {{with .RelayState}}<input type="hidden" name="RelayState" value="{{.}}">{{end}}
    <p class="muted">If nothing happens, continue by hand.</p>
    <button type="submit" id="continue">Continue</button>
  </form>
  <script>document.getElementById("SAMLResponseForm").submit();</script>
</div>
{{template "foot"}}`)
)

// page parses a page that uses the layout's templates.
func page(text string) *template.Template {
	return template.Must(template.Must(pages.Clone()).Parse(text))
}

// render writes a page, or a plain 500 if the template fails (a bug).
func render(w http.ResponseWriter, status int, tmpl *template.Template, data any) {
	var buf bytes.Buffer
	if err := tmpl.Execute(&buf, data); err != nil {
		http.Error(w, "devidp: render page: "+err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Frame-Options", "DENY")
	w.WriteHeader(status)
	_, _ = buf.WriteTo(w)
}
