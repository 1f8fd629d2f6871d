package sink

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"testing"
	"time"

	"github.com/zonerw/zonerw/zones/provider"
)

// refusedPublish is a real publish to an API that refuses every token.
func refusedPublish(t *testing.T) (*provider.Publisher, error) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusForbidden)
		io.WriteString(w, `{"success":false,"errors":[{"code":10000,"message":"Authentication error"}],"messages":[],"result":null}`)
	}))
	t.Cleanup(srv.Close)
	p, err := provider.New(provider.Config{Name: "cf", Kind: provider.Cloudflare, Zone: "example.com", Token: "x",
		APIURL: srv.URL + "/client/v4", Records: []provider.Record{{Name: "www", Type: "A", Service: "web"}}},
		slog.New(slog.DiscardHandler), time.Now)
	if err != nil {
		t.Fatal(err)
	}
	return p, p.Publish(context.Background(), map[string][]netip.Addr{"web": {netip.MustParseAddr("192.0.2.20")}})
}

// A permanent failure holds further attempts for the retry delay unless
// what would be published, or the config and credential, changes; a
// transient one holds nothing; a success clears the hold.
func TestProviderHold(t *testing.T) {
	now := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	want := map[string][]string{"web": {"192.0.2.20"}}
	other := map[string][]string{"web": {"192.0.2.10"}}
	p, refused := refusedPublish(t)
	if provider.Classify(refused) != provider.FailureCredentials {
		t.Fatalf("the refused publish gave %v", refused)
	}
	var s State
	s.afterSync(errors.New("connection reset"), now, want, "stamp", p.Status())
	if s.held(now, want, "stamp") || s.Failures != 1 || s.Status == nil {
		t.Fatalf("after a transient failure: %+v", s)
	}
	// The second failure in a row: RetryDelay(credentials, 2) = 2 minutes (+10%).
	s.afterSync(refused, now, want, "stamp", p.Status())
	if !s.held(now.Add(time.Minute), want, "stamp") || s.held(now.Add(3*time.Minute), want, "stamp") {
		t.Errorf("next attempt in %v; want 2 to 2.2 minutes", s.NextAttempt.Sub(now))
	}
	if s.held(now, other, "stamp") || s.held(now, want, "new token file") {
		t.Errorf("a new decision or a new token does not end the hold")
	}
	if s.Status.NextAttempt != s.NextAttempt || s.Status.Failure != "credentials" {
		t.Errorf("status next attempt %v failure %q, want %v credentials", s.Status.NextAttempt, s.Status.Failure, s.NextAttempt)
	}
	s.afterSync(nil, now, want, "stamp", p.Status())
	if s.held(now, want, "stamp") || s.Failures != 0 || !s.NextAttempt.IsZero() {
		t.Errorf("a success did not clear the hold: %+v", s)
	}
}

// A sink's errors name the provider once, as "provider NAME: ", on every
// line of a joined error, and still unwrap to the publisher's.
func TestErrorsNameTheProviderOnce(t *testing.T) {
	s := &Sink{opts: Options{Name: "cf"}}
	inner := errors.New("cf: www.example.com. A: HTTP 500\ncf: @ A: HTTP 500")
	err := s.named(inner)
	if want := "provider cf: www.example.com. A: HTTP 500\nprovider cf: @ A: HTTP 500"; err.Error() != want || !errors.Is(err, inner) {
		t.Errorf("named: %q, want %q (wrapping the original)", err, want)
	}
	if again := s.named(err); again.Error() != err.Error() {
		t.Errorf("named twice: %q", again)
	}
}
