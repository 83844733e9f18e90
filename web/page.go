package web

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"path"
	"strings"
)

//go:embed templates static
var assets embed.FS

// pages holds one parsed template per page, each with the shared layout.
type pages struct {
	byName map[string]*template.Template
}

// loadPages parses every page of templates/ with layout.html.
func loadPages() (*pages, error) {
	names, err := fs.Glob(assets, "templates/*.html")
	if err != nil {
		return nil, err
	}
	p := &pages{byName: map[string]*template.Template{}}
	for _, n := range names {
		base := strings.TrimSuffix(path.Base(n), ".html")
		if base == "layout" {
			continue
		}
		t, err := template.New("layout.html").Funcs(consoleFuncs).ParseFS(assets, "templates/layout.html", n)
		if err != nil {
			return nil, fmt.Errorf("parse page %s: %w", n, err)
		}
		p.byName[base] = t
	}
	return p, nil
}

// pageData is what every page's template receives.
type pageData struct {
	// Title is the page title, after "Gatehouse — ".
	Title     string
	RequestID string
	// Nav is the signed-in header of a console page; nil elsewhere.
	Nav *consoleNav
	// Page is the page's own data.
	Page any
}

// renderTitled writes the page name with status, title and data. A page
// that fails to render is a bug: it is logged and a plain error is sent.
func (s *Server) renderTitled(w http.ResponseWriter, r *http.Request, status int, name, title string, data any) {
	t := s.pages.byName[name]
	var buf bytes.Buffer
	if t == nil {
		s.logger.ErrorContext(r.Context(), "no such page", "page", name)
		http.Error(w, "Internal error.", http.StatusInternalServerError)
		return
	}
	if err := t.Execute(&buf, pageData{Title: title, RequestID: requestID(r.Context()), Nav: navOf(r), Page: data}); err != nil {
		s.logger.ErrorContext(r.Context(), "render page", "page", name, "err", err)
		http.Error(w, "Internal error.", http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	// form-action allows any site: browsers hold a form's redirect to it too,
	// and the SSO login and Test SSO forms redirect to the enterprise's IdP.
	h.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; form-action 'self' *; frame-ancestors 'none'; base-uri 'none'")
	h.Set("X-Frame-Options", "DENY")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

// staticHandler serves the embedded stylesheet, script and icon. Any other
// path, the folder itself included, gets the error page.
func (s *Server) staticHandler() http.Handler {
	sub, _ := fs.Sub(assets, "static")
	fsrv := http.StripPrefix("/static/", http.FileServer(http.FS(sub)))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if st, err := fs.Stat(sub, strings.TrimPrefix(r.URL.Path, "/static/")); err != nil || st.IsDir() {
			s.renderError(w, r, errNoPage(r))
			return
		}
		w.Header().Set("Cache-Control", "public, max-age=3600")
		fsrv.ServeHTTP(w, r)
	})
}
