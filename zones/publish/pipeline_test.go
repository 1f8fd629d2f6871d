package publish

import (
	"context"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cenkalti/backoff/v5"
	"github.com/zonerw/zonerw/templates"
	"github.com/zonerw/zonerw/zones/store"
)

var (
	now      = time.Date(2026, 12, 2, 10, 0, 0, 0, time.UTC)
	fastRety = Retry{Initial: time.Millisecond, Max: 5 * time.Millisecond}
)

func onMain() Values {
	return Values{Active: map[string]templates.Addrs{
		"web":  {IPv4: addrs("127.0.0.10"), IPv6: addrs("2001:db8::10")},
		"mail": {IPv4: addrs("127.0.0.25")},
	}}
}

func onBackup() Values {
	return Values{Active: map[string]templates.Addrs{
		"web":  {IPv4: addrs("127.0.0.20"), IPv6: addrs("2001:db8::20")},
		"mail": {IPv4: addrs("127.0.0.25")},
	}, TTL: map[string]uint32{"web": 60}}
}

// recorder is a destination that remembers what it got; fail and block
// make it fail or hang until released.
type recorder struct {
	mu      sync.Mutex
	got     []uint32
	fail    error
	block   chan struct{}
	entered chan struct{}
}

func (r *recorder) Deliver(ctx context.Context, rel *Release) error {
	if r.entered != nil {
		select {
		case r.entered <- struct{}{}:
		default:
		}
	}
	if r.block != nil {
		select {
		case <-r.block:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.fail != nil {
		return r.fail
	}
	r.got = append(r.got, rel.Version.Serial())
	return nil
}

func (r *recorder) serials() []uint32 {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]uint32(nil), r.got...)
}

func (r *recorder) setFail(err error) {
	r.mu.Lock()
	r.fail = err
	r.mu.Unlock()
}

func newPipeline(t *testing.T, dir string) *Pipeline {
	t.Helper()
	st, err := store.Open(dir, 0, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	return New(Config{Store: st, Now: func() time.Time { return now }})
}

// waitFor polls cond until it holds or the deadline passes.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(time.Millisecond)
	}
}

func last(r *recorder) uint32 {
	s := r.serials()
	if len(s) == 0 {
		return 0
	}
	return s[len(s)-1]
}

func apply(t *testing.T, p *Pipeline, z *Zone, v Values, force bool) Change {
	t.Helper()
	ch, err := p.Apply([]*Compiled{compile(t, z)}, v, force, true)
	if err != nil || len(ch) != 1 || ch[0].Err != nil {
		t.Fatalf("apply: %v %+v", err, ch)
	}
	return ch[0]
}

func TestPipelineSerialsFollowContent(t *testing.T) {
	dir := t.TempDir()
	z := newZone(t, tmplText+"$GENERATE 1-30 h$ A 127.0.1.$\n") // big enough to keep its journal
	p := newPipeline(t, dir)
	p.AddZone(z.Name, ZoneState{})
	rec := &recorder{}
	p.AddDestination(z.Name, "server", rec, time.Second, fastRety)
	p.Start()
	defer p.Stop(time.Second)

	if ch := apply(t, p, z, onMain(), false); !ch.Changed || ch.Serial != 2026120200 {
		t.Fatalf("first apply: %+v", ch)
	}
	if ch := p.Publish(onMain()); ch[0].Changed || ch[0].Serial != 2026120200 {
		t.Fatalf("same values: %+v", ch)
	}
	if ch := p.Publish(onBackup()); !ch[0].Changed || ch[0].Serial != 2026120201 {
		t.Fatalf("failover: %+v", ch)
	}
	waitFor(t, "the destination to hold 2026120201", func() bool { return last(rec) == 2026120201 })
	if ch := apply(t, p, z, onBackup(), false); ch.Changed || ch.Serial != 2026120201 {
		t.Fatalf("recompile of the same template: %+v", ch)
	}
	if ch := apply(t, p, z, onBackup(), true); !ch.Changed || ch.Serial != 2026120202 {
		t.Fatalf("force: %+v", ch)
	}
	j := p.Current(z.Name).Journal()
	if len(j) != 2 || j[0].From.Serial != 2026120200 || len(j[0].Deleted) != 3 || len(j[0].Added) != 3 {
		t.Fatalf("journal: %d changes, first %+v", len(j), j[0])
	}

	// A restart: the stored version comes back, and the same content keeps its serial.
	p2 := newPipeline(t, dir)
	p2.AddZone(z.Name, ZoneState{})
	if v := p2.Current(z.Name); v == nil || v.Serial() != 2026120202 || len(v.Journal()) != 2 {
		t.Fatalf("restored %v", v)
	}
	if ch := apply(t, p2, z, onBackup(), false); ch.Changed || ch.Serial != 2026120202 {
		t.Fatalf("after a restart: %+v", ch)
	}
	if ch := p2.Publish(onMain()); !ch[0].Changed || ch[0].Serial != 2026120203 {
		t.Fatalf("failback after a restart: %+v", ch)
	}
}

func TestAFloorAboveTheContentMovesTheSerial(t *testing.T) {
	z := newZone(t, tmplText)
	p := newPipeline(t, t.TempDir())
	p.AddZone(z.Name, ZoneState{})
	apply(t, p, z, onMain(), false)
	p.RaiseFloor(z.Name, 2026120250) // a secondary is ahead (a restored backup of the state)
	if ch := apply(t, p, z, onMain(), false); !ch.Changed || ch.Serial != 2026120251 {
		t.Fatalf("same content under a higher floor: %+v", ch)
	}
}

func TestOneDestinationDoesNotHoldUpAnother(t *testing.T) {
	z := newZone(t, tmplText)
	p := newPipeline(t, t.TempDir())
	p.AddZone(z.Name, ZoneState{})
	hung := &recorder{block: make(chan struct{}), entered: make(chan struct{}, 1)}
	failing := &recorder{fail: errors.New("disk full")}
	good := &recorder{}
	p.AddDestination(z.Name, "hung", hung, time.Hour, fastRety)
	p.AddDestination(z.Name, "failing", failing, time.Second, fastRety)
	p.AddDestination(z.Name, "good", good, time.Second, fastRety)
	p.Start()
	defer p.Stop(10 * time.Millisecond)

	apply(t, p, z, onMain(), false)
	<-hung.entered
	for _, v := range []Values{onBackup(), onMain(), onBackup()} {
		p.Publish(v)
	}
	waitFor(t, "the good destination to hold the newest version", func() bool { return last(good) == 2026120203 })
	zs, _ := p.Status()
	byName := map[string]DestinationStatus{}
	for _, d := range zs[0].Destinations {
		byName[d.Name] = d
	}
	if d := byName["failing"]; d.LastError != "disk full" || d.Failures == 0 || !d.Pending {
		t.Errorf("failing destination status %+v", d)
	}
	if d := byName["good"]; d.LastError != "" || d.Pending || d.Holds != "serial 2026120203" {
		t.Errorf("good destination status %+v", d)
	}
	// Latest wins: the hung one, once released, gets the newest version
	// next, not every one in between.
	close(hung.block)
	waitFor(t, "the hung destination to catch up", func() bool { return last(hung) == 2026120203 })
	if got := hung.serials(); len(got) != 2 || got[0] != 2026120200 {
		t.Errorf("hung destination got %v, want the first version then the newest", got)
	}
	failing.setFail(nil)
	waitFor(t, "the failing destination to recover", func() bool { return last(failing) == 2026120203 })
}

func TestRetryAfterIsHonoured(t *testing.T) {
	r := Retry{Initial: time.Millisecond, Max: 10 * time.Millisecond}.withDefaults()
	b := r.newBackOff()
	if d := r.wait(b, &backoff.RetryAfterError{Duration: 45 * time.Second}); d != 45*time.Second {
		t.Errorf("wait after Retry-After 45s = %v", d)
	}
	if d := r.wait(b, backoff.Permanent(errors.New("token refused"))); d != 10*time.Millisecond {
		t.Errorf("wait after a permanent error = %v, want the ceiling", d)
	}
}

func TestFlushBoundsEachDestinationByItsOwnTime(t *testing.T) {
	z := newZone(t, tmplText)
	p := newPipeline(t, t.TempDir())
	p.AddZone(z.Name, ZoneState{})
	hung := &recorder{block: make(chan struct{})}
	good := &recorder{}
	p.AddDestination(z.Name, "hung", hung, 50*time.Millisecond, fastRety)
	p.AddDestination(z.Name, "good", good, time.Second, fastRety)
	apply(t, p, z, onMain(), false)
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	err := p.Flush(ctx)
	if err == nil || !strings.HasPrefix(err.Error(), "hung: ") || strings.Contains(err.Error(), "good") {
		t.Fatalf("flush error %v, want only the hung destination named", err)
	}
	if last(good) != 2026120200 {
		t.Errorf("good destination got %v", good.serials())
	}
}

func TestFileDestination(t *testing.T) {
	dir := t.TempDir()
	z := newZone(t, tmplText)
	z.Output = filepath.Join(dir, "out", "example.com.zone")
	marker := filepath.Join(dir, "reloaded")
	z.Reload = Reload{Command: []string{"sh", "-c", "test -e " + marker + ".ok && touch " + marker}, Timeout: 10 * time.Second}
	p := newPipeline(t, filepath.Join(dir, "journal"))
	p.AddZone(z.Name, ZoneState{})
	f := NewFileDestination(false)
	p.AddDestination(z.Name, "file", f, 20*time.Second, Retry{Attempts: 1})
	apply(t, p, z, onBackup(), false)
	err := p.Flush(context.Background())
	if err == nil || !strings.Contains(err.Error(), "reload command") || !f.ReloadOwed() {
		t.Fatalf("flush with a failing reload: %v, owed %v", err, f.ReloadOwed())
	}
	text, err := os.ReadFile(z.Output)
	if err != nil || !strings.Contains(string(text), "www 60 IN A 127.0.0.20 ; @IP@") || !strings.Contains(string(text), "( 2026120200 3600") {
		t.Fatalf("zone file %v:\n%s", err, text)
	}
	// The next run: nothing changed, but the reload is still owed.
	os.WriteFile(marker+".ok", nil, 0o644)
	apply(t, p, z, onBackup(), true)
	if err := p.Flush(context.Background()); err != nil || f.ReloadOwed() {
		t.Fatalf("retry: %v, owed %v", err, f.ReloadOwed())
	}
	if _, err := os.Stat(marker); err != nil {
		t.Error("the reload command did not run again")
	}
}

// A plain zone (no serial marker) keeps the operator's serial: new content
// needs a new serial in the template, and is refused without one.
func TestFixedSerialZoneInThePipeline(t *testing.T) {
	plain := func(serial, www string) *Zone {
		return newZone(t, "$TTL 300\n@ IN SOA ns1 hm "+serial+" 3600 900 1209600 300\n@ IN NS ns1\nns1 IN A 127.0.0.53\nwww IN A "+www+"\n")
	}
	p := newPipeline(t, t.TempDir())
	p.AddZone("example.com.", ZoneState{})
	if ch := apply(t, p, plain("2024010100", "192.0.2.1"), onMain(), false); !ch.Changed || ch.Serial != 2024010100 {
		t.Fatalf("first: %+v", ch)
	}
	if ch := p.Publish(onBackup()); len(ch) != 1 || ch[0].Changed || ch[0].Serial != 2024010100 {
		t.Fatalf("a decision does not touch a plain zone: %+v", ch)
	}
	_, err := p.Apply([]*Compiled{compile(t, plain("2024010100", "192.0.2.2"))}, onMain(), false, true)
	if err == nil || !strings.Contains(err.Error(), "its content changed but its serial did not") {
		t.Fatalf("new content, same serial: %v", err)
	}
	if v := p.Current("example.com."); v.Serial() != 2024010100 {
		t.Fatalf("a refused apply changed the zone: serial %d", v.Serial())
	}
	if ch := apply(t, p, plain("2024010101", "192.0.2.2"), onMain(), false); !ch.Changed || ch.Serial != 2024010101 {
		t.Fatalf("new content, raised serial: %+v", ch)
	}
	if j := p.Current("example.com.").Journal(); len(j) != 1 || len(j[0].Added) != 1 {
		t.Fatalf("journal after the operator's change: %+v", j)
	}
}
