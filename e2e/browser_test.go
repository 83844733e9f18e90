package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
	"github.com/google/go-cmp/cmp"

	"github.com/gatehouse-sso/gatehouse/internal/browsertest"
)

// gatehousePage matches the heading of every Gatehouse page, and of no
// SimpleSAMLphp page.
const gatehousePage = "main#main h1"

// mustLogInFrom runs start, which leads the browser to the IdP, logs
// username in there if the IdP shows its login form, and waits for the
// Gatehouse page the IdP's answer leads to.
func mustLogInFrom(tb testing.TB, ctx context.Context, start chromedp.Action[chromedp.Void], username, password string) {
	tb.Helper()
	mustLeavePage(tb, ctx, start, "#username, "+gatehousePage)
	if browsertest.Eval[bool](tb, ctx, `document.querySelector("#username") !== null`) {
		browsertest.Do(tb, ctx,
			chromedp.SendKeys(chromedp.CSS("#username"), username),
			chromedp.SendKeys(chromedp.CSS("#password"), password),
		)
		mustLeavePage(tb, ctx, chromedp.Click(chromedp.CSS("#submit_button")), gatehousePage)
	}
}

// MustLogOut clicks "Log out" and waits for the login page.
func MustLogOut(tb testing.TB, ctx context.Context) {
	tb.Helper()
	mustLeavePage(tb, ctx, chromedp.Click(chromedp.CSS(`form[action="/logout"] button[type=submit]`)), "#enterprise_key")
}

// mustLeavePage runs action, which leaves the current page, and waits
// until another page shows an element matching selector. A plain
// WaitVisible after a click could match the page being left, so the page
// is marked first and the wait skips marked pages.
func mustLeavePage(tb testing.TB, ctx context.Context, action chromedp.Action[chromedp.Void], selector string) {
	tb.Helper()
	sel, _ := json.Marshal(selector)
	ready := fmt.Sprintf(`window.e2eLeft !== true && document.readyState === "complete" && document.querySelector(%s) !== null`, sel)
	browsertest.Do(tb, ctx, chromedp.Evaluate[chromedp.Void](`window.e2eLeft = true`), action)
	deadline := time.Now().Add(browsertest.StepTimeout)
	for time.Now().Before(deadline) {
		// Evaluating fails while the browser is between two pages: try again.
		if ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](ready)); err == nil && ok {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	tb.Fatalf("browsertest: no new page with %s within %v; the browser shows %q", selector, browsertest.StepTimeout,
		browsertest.Eval[string](tb, ctx, "location.href"))
}

// pageText returns the visible text of the first element of the current
// page that matches selector, and fails tb if there is none. Unlike
// browsertest.Text it does not wait for the element: the page has loaded,
// and an element that is missing fails the test at once.
func pageText(tb testing.TB, ctx context.Context, selector string) string {
	tb.Helper()
	sel, _ := json.Marshal(selector)
	type found struct {
		Found bool   `json:"found"`
		Text  string `json:"text"`
	}
	got := browsertest.Eval[found](tb, ctx, fmt.Sprintf(
		`(e => ({found: e !== null, text: e === null ? "" : e.innerText}))(document.querySelector(%s))`, sel))
	if !got.Found {
		tb.Fatalf("the page %q has no %s", browsertest.Eval[string](tb, ctx, "document.title"), selector)
	}
	return got.Text
}

// refusalReason returns the reason of the refusal page the browser shows,
// or "" on any other page.
func refusalReason(tb testing.TB, ctx context.Context) string {
	tb.Helper()
	return browsertest.Eval[string](tb, ctx, `document.querySelector("[data-reason]")?.dataset.reason ?? ""`)
}

// pageOrganizations returns the rows of the organizations page: each
// organization's key and the names of the user's group tags, sorted.
func pageOrganizations(tb testing.TB, ctx context.Context) map[string][]string {
	tb.Helper()
	rows := browsertest.Eval[map[string][]string](tb, ctx, `Object.fromEntries(
		[...document.querySelectorAll("tr[data-org]")].map(tr => [tr.dataset.org,
			[...tr.querySelectorAll("span[data-group]")].map(s => s.dataset.group)]))`)
	for _, groups := range rows {
		slices.Sort(groups)
	}
	return rows
}

// mustOrganizations returns the signed-in user's organizations as GET
// /api/v1/me shows them (see [meJSON.summary]), and fails tb unless the
// organizations page the browser shows lists the same organizations with
// the same groups.
func mustOrganizations(tb testing.TB, ctx context.Context) map[string]string {
	tb.Helper()
	me := mustBrowserMe(tb, ctx)
	fromAPI := map[string][]string{}
	for _, o := range me.Organizations {
		fromAPI[o.Key] = []string{}
		for _, g := range o.Groups {
			fromAPI[o.Key] = append(fromAPI[o.Key], g.Name)
		}
		slices.Sort(fromAPI[o.Key])
	}
	if diff := cmp.Diff(fromAPI, pageOrganizations(tb, ctx)); diff != "" {
		tb.Errorf("the organizations page and GET /api/v1/me disagree (-api +page):\n%s", diff)
	}
	return me.summary()
}

// browserMe answers GET /api/v1/me with the session of the browser of ctx,
// as the page's own script would: its status, and the profile when 200.
func browserMe(tb testing.TB, ctx context.Context) (int, meJSON) {
	tb.Helper()
	type answer struct {
		Status int    `json:"status"`
		Body   string `json:"body"`
	}
	ctx, cancel := context.WithTimeout(ctx, browsertest.StepTimeout)
	defer cancel()
	ans, err := chromedp.Run(ctx, chromedp.Evaluate[answer](
		`fetch("/api/v1/me").then(async r => ({status: r.status, body: await r.text()}))`, chromedp.EvalAwaitPromise))
	if err != nil {
		tb.Fatalf("fetch /api/v1/me in the browser: %v", err)
	}
	var me meJSON
	if ans.Status == http.StatusOK {
		if err := json.Unmarshal([]byte(ans.Body), &me); err != nil {
			tb.Fatalf("GET /api/v1/me: decode %s: %v", ans.Body, err)
		}
	}
	return ans.Status, me
}

// mustBrowserMe returns the profile of the browser's user, failing tb
// unless GET /api/v1/me answers 200 OK.
func mustBrowserMe(tb testing.TB, ctx context.Context) meJSON {
	tb.Helper()
	status, me := browserMe(tb, ctx)
	if status != http.StatusOK {
		tb.Fatalf("GET /api/v1/me with the browser's session = %d; want 200", status)
	}
	return me
}

// mustSessionCookie returns the browser's Gatehouse session cookie for base.
func mustSessionCookie(tb testing.TB, ctx context.Context, base string) *network.Cookie {
	tb.Helper()
	res, err := chromedp.Call(ctx, network.GetCookies, network.GetCookiesParams{URLs: []string{base}})
	if err != nil {
		tb.Fatalf("read the browser's cookies: %v", err)
	}
	for _, c := range res.Cookies {
		if c.Name == "gh_session" {
			return c
		}
	}
	tb.Fatalf("the browser holds no gh_session cookie for %s", base)
	return nil
}
