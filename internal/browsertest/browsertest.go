// Package browsertest drives a real headless Chromium (Debian's /usr/bin/chromium)
// from tests through chromedp.
//
// [New] starts one browser per test, with its own profile and so its own cookie jar, and
// stops it when the test ends. [Do], [Text], [Attribute], [Value] and [Eval] run chromedp actions
// and fail the test on error, each within [StepTimeout]. [Screenshot] saves a full-page
// PNG for people to review; a failed test gets one automatically.
//
// When Chromium is missing the test is skipped, or fails when
// GATEHOUSE_TEST_REQUIRE_PEERS=1 (as scripts/test sets it), saying what to install.
package browsertest

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/gatehouse-sso/gatehouse/internal/testpeer"
)

// ChromiumPath is where Debian's chromium package installs the browser.
const ChromiumPath = "/usr/bin/chromium"

// StepTimeout bounds each helper call, so that a selector that never matches fails the
// test with its name instead of hanging until go test's own timeout.
const StepTimeout = 30 * time.Second

// New starts a headless Chromium for tb and returns a chromedp context for its first
// tab. Each call starts a separate browser with a fresh profile in tb.TempDir(), so
// tests share no cookies. The browser is stopped when tb ends; if tb failed, a
// screenshot named "failure" is saved first.
func New(tb testing.TB) context.Context {
	tb.Helper()
	if _, err := os.Stat(ChromiumPath); err != nil {
		testpeer.Missing(tb, fmt.Sprintf("Chromium is not installed at %s", ChromiumPath), "apt-get install -y chromium")
	}
	profile := tb.TempDir()
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(ChromiumPath),
		chromedp.UserDataDir(profile),
		chromedp.WindowSize(1280, 900),
		// Without the networking flags, Chromium's calls home are refused by this
		// machine's closed network, many at a time (peers/README.md).
		chromedp.Flag("headless", true),
		chromedp.Flag("no-sandbox", true),
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("no-first-run", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
	)
	ctx, cancelCtx := chromedp.NewContext(allocCtx)
	// Cleanups run last-registered first: the browser stops (and cancelAlloc waits for
	// its process) before TempDir removes the profile.
	tb.Cleanup(func() {
		cancelCtx()
		cancelAlloc()
	})
	tb.Cleanup(func() {
		if tb.Failed() {
			saveFailureScreenshot(tb, ctx)
		}
	})
	if err := chromedp.Do(ctx); err != nil {
		tb.Fatalf("browsertest: start %s: %v", ChromiumPath, err)
	}
	return ctx
}

// Do runs actions in order in the browser of ctx and fails tb at the first error.
func Do(tb testing.TB, ctx context.Context, actions ...chromedp.Action[chromedp.Void]) {
	tb.Helper()
	ctx, cancel := context.WithTimeout(ctx, StepTimeout)
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		tb.Fatalf("browsertest: %v", err)
	}
}

// Text returns the visible text of the first element that matches the CSS selector.
func Text(tb testing.TB, ctx context.Context, selector string) string {
	tb.Helper()
	return run(tb, ctx, "text of "+selector, chromedp.Text(chromedp.CSS(selector)))
}

// Value returns the value of the first input, select or textarea that matches the CSS
// selector.
func Value(tb testing.TB, ctx context.Context, selector string) string {
	tb.Helper()
	return run(tb, ctx, "value of "+selector, chromedp.Value(chromedp.CSS(selector)))
}

// Attribute returns the attribute name of the first element that matches the CSS
// selector, and fails tb if the element has no such attribute.
func Attribute(tb testing.TB, ctx context.Context, selector, name string) string {
	tb.Helper()
	what := fmt.Sprintf("attribute %s of %s", name, selector)
	attr := run(tb, ctx, what, chromedp.AttributeValue(chromedp.CSS(selector), name))
	if !attr.Exists {
		tb.Fatalf("browsertest: %s: no such attribute", what)
	}
	return attr.Value
}

// Eval evaluates a JavaScript expression in the current page and returns its value,
// decoded from JSON into T.
func Eval[T any](tb testing.TB, ctx context.Context, expression string) T {
	tb.Helper()
	return run(tb, ctx, "evaluate "+expression, chromedp.Evaluate[T](expression))
}

// run runs one action that returns a value, within StepTimeout.
func run[T any](tb testing.TB, ctx context.Context, what string, action chromedp.Action[T]) T {
	tb.Helper()
	ctx, cancel := context.WithTimeout(ctx, StepTimeout)
	defer cancel()
	v, err := chromedp.Run(ctx, action)
	if err != nil {
		tb.Fatalf("browsertest: %s: %v", what, err)
	}
	return v
}

// Screenshot saves a full-page PNG of the current tab as <test name>-<name>.png in the
// folder GATEHOUSE_TEST_OUTPUT, or else test-output/screenshots at the root of the
// repository (ignored by git), and returns its path.
func Screenshot(tb testing.TB, ctx context.Context, name string) string {
	tb.Helper()
	path, err := screenshot(tb, ctx, name)
	if err != nil {
		tb.Fatalf("browsertest: screenshot %q: %v", name, err)
	}
	tb.Logf("screenshot: %s", path)
	return path
}

// saveFailureScreenshot saves a screenshot of a failed test, if the browser still
// answers; it only logs what goes wrong, since the test has failed already.
func saveFailureScreenshot(tb testing.TB, ctx context.Context) {
	path, err := screenshot(tb, ctx, "failure")
	if err != nil {
		tb.Logf("browsertest: no failure screenshot: %v", err)
		return
	}
	tb.Logf("failure screenshot: %s", path)
}

var unsafeChars = regexp.MustCompile(`[^A-Za-z0-9._-]+`)

func screenshot(tb testing.TB, ctx context.Context, name string) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, StepTimeout)
	defer cancel()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		return "", fmt.Errorf("capture: %w", err)
	}
	dir, err := outputDir()
	if err != nil {
		return "", err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", fmt.Errorf("create output folder: %w", err)
	}
	path := filepath.Join(dir, unsafeChars.ReplaceAllString(tb.Name()+"-"+name, "_")+".png")
	if err := os.WriteFile(path, png, 0o644); err != nil {
		return "", fmt.Errorf("write: %w", err)
	}
	return path, nil
}

// outputDir returns GATEHOUSE_TEST_OUTPUT, or else test-output/screenshots in the
// repository that holds the working directory.
func outputDir() (string, error) {
	if dir := os.Getenv("GATEHOUSE_TEST_OUTPUT"); dir != "" {
		return dir, nil
	}
	repo, err := testpeer.RepoDir()
	if err != nil {
		return "", fmt.Errorf("%w: set GATEHOUSE_TEST_OUTPUT", err)
	}
	return filepath.Join(repo, "test-output", "screenshots"), nil
}
