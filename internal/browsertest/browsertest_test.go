package browsertest_test

import (
	"bytes"
	"image/png"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/gatehouse-sso/gatehouse/internal/browsertest"
)

const page = `<!doctype html>
<html><head><title>browsertest</title></head>
<body style="font-family: sans-serif; margin: 2em">
  <h1>Counter</h1>
  <button id="add" data-step="2" onclick="add()">Add 2</button>
  <input id="name" value="initial">
  <p>Count: <span id="count">0</span></p>
  <script>
    function add() {
      const count = document.getElementById("count");
      count.textContent = Number(count.textContent) + 2;
      document.cookie = "clicked=yes";
    }
  </script>
</body></html>`

// newServer serves page on 127.0.0.1, where Chromium may connect.
func newServer(t *testing.T) *httptest.Server {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &httptest.Server{Listener: l, Config: &http.Server{Handler: http.HandlerFunc(
		func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			w.Write([]byte(page))
		})}}
	srv.Start()
	t.Cleanup(srv.Close)
	return srv
}

func TestClickReadAndScreenshot(t *testing.T) {
	srv := newServer(t)
	ctx := browsertest.New(t)

	browsertest.Do(t, ctx,
		chromedp.Navigate(srv.URL),
		chromedp.Click(chromedp.ID("add")),
		chromedp.Click(chromedp.ID("add")),
		chromedp.SetValue(chromedp.ID("name"), "changed"),
	)

	if got := browsertest.Text(t, ctx, "#count"); got != "4" {
		t.Errorf("Text(#count) after two clicks = %q; want %q", got, "4")
	}
	if got := browsertest.Attribute(t, ctx, "#add", "data-step"); got != "2" {
		t.Errorf("Attribute(#add, data-step) = %q; want %q", got, "2")
	}
	if got := browsertest.Value(t, ctx, "#name"); got != "changed" {
		t.Errorf("Value(#name) = %q; want %q", got, "changed")
	}

	path := browsertest.Screenshot(t, ctx, "counter")
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("screenshot %s is not a PNG: %v", path, err)
	}
	if b := img.Bounds(); b.Dx() < 800 || b.Dy() < 600 {
		t.Errorf("screenshot is %dx%d; want at least the 1280x900 window", b.Dx(), b.Dy())
	}
}

func TestEachBrowserHasItsOwnCookies(t *testing.T) {
	srv := newServer(t)
	first, second := browsertest.New(t), browsertest.New(t)

	browsertest.Do(t, first, chromedp.Navigate(srv.URL), chromedp.Click(chromedp.ID("add")))
	browsertest.Do(t, second, chromedp.Navigate(srv.URL))

	if got := browsertest.Eval[string](t, first, "document.cookie"); got != "clicked=yes" {
		t.Errorf("first browser's cookies = %q; want %q", got, "clicked=yes")
	}
	if got := browsertest.Eval[string](t, second, "document.cookie"); got != "" {
		t.Errorf("second browser's cookies = %q; want none", got)
	}
}
