package sink

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/zonerw/zonerw/templates"
	"github.com/zonerw/zonerw/zones/provider"
	"github.com/zonerw/zonerw/zones/publish"
)

// gandiZone is a small LiveDNS for zone example.com: the domain lookup,
// the record list and GET/PUT/DELETE of one RRset. failPUT names RRsets
// ("@/A") whose PUT answers 500.
type gandiZone struct {
	srv *httptest.Server

	mu      sync.Mutex
	rrsets  map[string][]string // "www/A" -> values
	ttl     map[string]int
	failPUT map[string]bool
	puts    int
}

func newGandiZone(t *testing.T) *gandiZone {
	g := &gandiZone{rrsets: map[string][]string{}, ttl: map[string]int{}, failPUT: map[string]bool{}}
	g.srv = httptest.NewServer(http.HandlerFunc(g.serve))
	t.Cleanup(g.srv.Close)
	return g
}

func (g *gandiZone) base() string { return g.srv.URL + "/v5/livedns" }

func (g *gandiZone) set(key string, values ...string) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.rrsets[key], g.ttl[key] = values, 300
}

func (g *gandiZone) values(key string) []string {
	g.mu.Lock()
	defer g.mu.Unlock()
	return slices.Clone(g.rrsets[key])
}

func (g *gandiZone) serve(w http.ResponseWriter, r *http.Request) {
	g.mu.Lock()
	defer g.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	records := g.base() + "/domains/example.com/records"
	rest, _ := strings.CutPrefix(r.URL.Path, "/v5/livedns/domains/example.com")
	rrset := func(key string) map[string]any {
		name, typ, _ := strings.Cut(key, "/")
		return map[string]any{"rrset_name": name, "rrset_type": typ, "rrset_ttl": g.ttl[key], "rrset_values": g.rrsets[key], "rrset_href": records + "/" + key}
	}
	key := strings.TrimPrefix(rest, "/records/")
	switch {
	case rest == "":
		json.NewEncoder(w).Encode(map[string]any{"fqdn": "example.com", "domain_records_href": records})
	case rest == "/records":
		var all []map[string]any
		for _, k := range slices.Sorted(func(yield func(string) bool) {
			for k := range g.rrsets {
				if !yield(k) {
					return
				}
			}
		}) {
			all = append(all, rrset(k))
		}
		json.NewEncoder(w).Encode(all)
	case r.Method == http.MethodGet && g.rrsets[key] != nil:
		json.NewEncoder(w).Encode(rrset(key))
	case r.Method == http.MethodGet, r.Method == http.MethodDelete && g.rrsets[key] == nil:
		w.WriteHeader(http.StatusNotFound)
		io.WriteString(w, `{"object":"dns-record","cause":"Not Found","code":404,"message":"Can't find the DNS record `+key+` in the zone"}`)
	case r.Method == http.MethodPut && g.failPUT[key]:
		w.WriteHeader(http.StatusInternalServerError)
		io.WriteString(w, `{"code":500,"message":"Internal Server Error","object":"HTTPInternalServerError","cause":"Internal Server Error"}`)
	case r.Method == http.MethodPut:
		var body struct {
			Values []string `json:"rrset_values"`
			TTL    int      `json:"rrset_ttl"`
		}
		json.NewDecoder(r.Body).Decode(&body)
		g.rrsets[key], g.ttl[key] = body.Values, body.TTL
		g.puts++
		w.WriteHeader(http.StatusCreated)
		io.WriteString(w, `{"message":"DNS Record Created"}`)
	case r.Method == http.MethodDelete:
		delete(g.rrsets, key)
		w.WriteHeader(http.StatusNoContent)
	}
}

// cronSink is a cron-mode sink of g's records under on_drift report,
// read back at every call, that records its report lines; clock is the
// publisher's.
func cronSink(t *testing.T, g *gandiZone, records []provider.Record, st State, clock func() time.Time, lines *[]string) *Sink {
	t.Helper()
	pub, err := provider.New(provider.Config{Name: "gandi", Kind: provider.Gandi, Zone: "example.com", Token: "x", APIURL: g.base(),
		Records: records, OnDrift: provider.DriftReport}, slog.New(slog.DiscardHandler), clock,
		provider.WithSleep(func(ctx context.Context, d time.Duration) error { return ctx.Err() }))
	if err != nil {
		t.Fatal(err)
	}
	return New(pub, Options{Name: "gandi", Services: []string{"web"}, Mode: Cron, VerifyEvery: 0,
		Report: func(s string) { *lines = append(*lines, s) }, Observe: func(string, error) {}}, st)
}

func on(addr string) publish.Values {
	return publish.Values{Active: map[string]templates.Addrs{"web": {IPv4: []netip.Addr{netip.MustParseAddr(addr)}}}}
}

func linesWith(lines []string, s string) []string {
	var out []string
	for _, l := range lines {
		if strings.Contains(l, s) {
			out = append(out, l)
		}
	}
	return out
}

var wwwAndApex = []provider.Record{{Name: "www", Type: "A", Service: "web"}, {Name: "@", Type: "A", Service: "web"}}

// A publish that fails partway (www written, @ refused with 500) leaves
// the sink so that the next decision is published, even when it is what
// was published before: the failover back reaches www at once, and www
// is not taken for a hand-made change.
func TestFailoverBackAfterAPartialPublish(t *testing.T) {
	g := newGandiZone(t)
	g.set("www/A", "127.0.0.21")
	g.set("@/A", "127.0.0.21")
	var lines []string
	s := cronSink(t, g, wwwAndApex, State{}, time.Now, &lines)
	if err := s.Deliver(context.Background(), on("127.0.0.21")); err != nil {
		t.Fatal(err)
	}
	g.mu.Lock()
	g.failPUT["@/A"] = true
	g.mu.Unlock()
	if err := s.Deliver(context.Background(), on("127.0.0.20")); err == nil {
		t.Fatal("the publish to main succeeded with @/A failing")
	}
	if got := g.values("www/A"); !slices.Equal(got, []string{"127.0.0.20"}) {
		t.Fatalf("www holds %v after the partial publish, want main", got)
	}
	g.mu.Lock()
	g.failPUT["@/A"] = false
	g.mu.Unlock()

	// A restart in between: the state file carries it.
	s = cronSink(t, g, wwwAndApex, s.Snapshot(), time.Now, &lines)
	lines = nil
	if err := s.Deliver(context.Background(), on("127.0.0.21")); err != nil {
		t.Fatalf("the failover back: %v", err)
	}
	for _, key := range []string{"www/A", "@/A"} {
		if got := g.values(key); !slices.Equal(got, []string{"127.0.0.21"}) {
			t.Errorf("%s holds %v after the failover back, want backup", key, got)
		}
	}
	if d := linesWith(lines, "drift"); len(d) != 0 {
		t.Errorf("the failover back was reported as drift: %q", d)
	}
	if p := linesWith(lines, "published web=127.0.0.21"); len(p) != 1 {
		t.Errorf("report lines %q: want the publish", lines)
	}
}

// A record added to the config is published at the next call (a cron
// run, a reload), not found missing and reported as drift.
func TestAddedRecordIsPublishedAtOnce(t *testing.T) {
	g := newGandiZone(t)
	var lines []string
	s := cronSink(t, g, wwwAndApex[:1], State{}, time.Now, &lines)
	if err := s.Deliver(context.Background(), on("127.0.0.21")); err != nil {
		t.Fatal(err)
	}
	lines = nil
	s = cronSink(t, g, wwwAndApex, s.Snapshot(), time.Now, &lines)
	if err := s.Deliver(context.Background(), on("127.0.0.21")); err != nil {
		t.Fatal(err)
	}
	if got := g.values("@/A"); !slices.Equal(got, []string{"127.0.0.21"}) {
		t.Errorf("the added record holds %v, want it published", got)
	}
	if d := linesWith(lines, "drift"); len(d) != 0 {
		t.Errorf("the added record was reported as drift: %q", d)
	}
}

// A standing drift is printed when found (full name, "holds nothing"
// for a record removed by hand), then not at every read-back, but again
// an hour later.
func TestStandingDriftIsPrintedOnceThenHourly(t *testing.T) {
	g := newGandiZone(t)
	now := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	var lines []string
	s := cronSink(t, g, wwwAndApex[:1], State{}, func() time.Time { return now }, &lines)
	if err := s.Deliver(context.Background(), on("127.0.0.21")); err != nil {
		t.Fatal(err)
	}
	g.mu.Lock()
	delete(g.rrsets, "www/A")
	g.mu.Unlock()
	want := "provider gandi: drift on www.example.com. A: holds nothing, want 127.0.0.21; reported only (on_drift: report)"
	for i, step := range []struct {
		after time.Duration
		lines int
	}{{time.Minute, 1}, {time.Minute, 0}, {30 * time.Minute, 0}, {30 * time.Minute, 1}} {
		now = now.Add(step.after)
		lines = nil
		if err := s.Deliver(context.Background(), on("127.0.0.21")); err != nil {
			t.Fatal(err)
		}
		if got := linesWith(lines, "drift"); len(got) != step.lines || (len(got) == 1 && got[0] != want) {
			t.Errorf("read-back %d printed %q; want %d line(s) %q", i, got, step.lines, want)
		}
	}
}

// Each drifted record's line is printed when putting one of them back
// fails (the failure goes to the error as well): www put back, @ not.
func TestDriftLinesWhenAFixFails(t *testing.T) {
	g := newGandiZone(t)
	g.set("www/A", "192.0.2.1")
	g.set("@/A", "192.0.2.1")
	pub, err := provider.New(provider.Config{Name: "gandi", Kind: provider.Gandi, Zone: "example.com", Token: "x", APIURL: g.base(),
		Records: wwwAndApex, OnDrift: provider.DriftFix}, slog.New(slog.DiscardHandler), time.Now,
		provider.WithSleep(func(ctx context.Context, d time.Duration) error { return ctx.Err() }))
	if err != nil {
		t.Fatal(err)
	}
	var lines []string
	s := New(pub, Options{Name: "gandi", Services: []string{"web"}, Mode: Cron, VerifyEvery: 0,
		Report: func(l string) { lines = append(lines, l) }, Observe: func(string, error) {}}, State{})
	if err := s.Deliver(context.Background(), on("192.0.2.1")); err != nil {
		t.Fatal(err)
	}
	g.set("www/A", "192.0.2.66") // by hand
	g.set("@/A", "192.0.2.67")
	g.mu.Lock()
	g.failPUT["@/A"] = true
	g.mu.Unlock()
	if err := s.Deliver(context.Background(), on("192.0.2.1")); err == nil {
		t.Fatal("the read-back succeeded with @/A failing to be put back")
	}
	if got := linesWith(lines, "drift on www.example.com. A"); len(got) != 1 || !strings.Contains(got[0], "put back") {
		t.Errorf("www's drift line: %q", got)
	}
	if got := linesWith(lines, "drift on example.com. A"); len(got) != 1 || !strings.Contains(got[0], "putting it back failed") {
		t.Errorf("@'s drift line: %q", got)
	}
	if got := g.values("www/A"); !slices.Equal(got, []string{"192.0.2.1"}) {
		t.Errorf("www holds %v, want it put back", got)
	}
}
