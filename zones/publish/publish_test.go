package publish

import (
	"context"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/zonerw/zonerw/templates"
	"github.com/zonerw/zonerw/zones"
)

const tmplText = `$ORIGIN example.com.
$TTL 3600
@ IN SOA ns1 hostmaster ( @serial number@ 3600 900 1209600 300 )
  IN NS ns1
ns1 IN A 127.0.0.53
www 300 IN A 127.0.0.10 ; @IP@
`

var (
	now    = time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)
	main4  = map[string]templates.Addrs{"web": {IPv4: []netip.Addr{netip.MustParseAddr("127.0.0.10")}}}
	backup = map[string]templates.Addrs{"web": {IPv4: []netip.Addr{netip.MustParseAddr("127.0.0.20")}}}
)

func newZone(t *testing.T, text string) *Zone {
	t.Helper()
	svcs := []templates.Service{{Name: "web", Targets: []templates.Target{
		{Name: "main", IPv4: main4["web"].IPv4}, {Name: "backup", IPv4: backup["web"].IPv4},
	}}}
	tmpl, err := templates.Parse("example.com.tmpl", []byte(text), svcs, "web")
	if err != nil {
		t.Fatal(err)
	}
	return &Zone{Name: "example.com.", Template: tmpl, Output: filepath.Join(t.TempDir(), "example.com.zone"),
		Policy: zones.DateSerial, Reload: Reload{Timeout: 10 * time.Second}}
}

// publish plans and applies one run and returns the new state.
func publish(t *testing.T, z *Zone, active map[string]templates.Addrs, st ZoneState, force bool, at time.Time) (*Plan, Result) {
	t.Helper()
	p, err := MakePlan(z, Input{Active: active, State: st, Force: force, Now: at})
	if err != nil {
		t.Fatal(err)
	}
	res, err := Apply(context.Background(), p, st, at)
	if err != nil {
		t.Fatal(err)
	}
	return p, res
}

func TestSerialOnlyMovesWithContent(t *testing.T) {
	z := newZone(t, tmplText)
	p, r := publish(t, z, main4, ZoneState{}, false, now)
	if !r.Written || p.Serial != 2026112200 {
		t.Fatalf("first run: written=%v serial=%d", r.Written, p.Serial)
	}
	p, r2 := publish(t, z, main4, r.State, false, now)
	if r2.Written || p.Serial != 2026112200 {
		t.Fatalf("unchanged run: written=%v serial=%d", r2.Written, p.Serial)
	}
	p, r3 := publish(t, z, backup, r2.State, false, now)
	if !r3.Written || p.Serial != 2026112201 {
		t.Fatalf("changed run: written=%v serial=%d", r3.Written, p.Serial)
	}
	text, _ := os.ReadFile(z.Output)
	if !strings.Contains(string(text), "www 300 IN A 127.0.0.20") {
		t.Fatalf("zone file lacks the backup address:\n%s", text)
	}
	p, r4 := publish(t, z, backup, r3.State, true, now)
	if !r4.Written || p.Serial != 2026112202 {
		t.Fatalf("forced run: written=%v serial=%d", r4.Written, p.Serial)
	}
}

func TestLostStateIsRecoveredFromTheFile(t *testing.T) {
	z := newZone(t, tmplText)
	_, r := publish(t, z, main4, ZoneState{}, false, now)
	_, r = publish(t, z, backup, r.State, false, now) // serial ...01
	before, _ := os.ReadFile(z.Output)

	// The state directory is lost; the clock is also a day behind.
	p, r2 := publish(t, z, backup, ZoneState{}, false, now.Add(-24*time.Hour))
	after, _ := os.ReadFile(z.Output)
	if r2.Written || p.Serial != r.State.Serial || string(before) != string(after) {
		t.Fatalf("same content after state loss: written=%v serial=%d want %d", r2.Written, p.Serial, r.State.Serial)
	}
	p, _ = publish(t, z, main4, ZoneState{}, false, now.Add(-24*time.Hour))
	if p.Serial != r.State.Serial+1 {
		t.Fatalf("changed content after state loss and clock set back: serial %d, want %d", p.Serial, r.State.Serial+1)
	}
}

func TestDeletedOutputIsRewritten(t *testing.T) {
	z := newZone(t, tmplText)
	_, r := publish(t, z, main4, ZoneState{}, false, now)
	os.Remove(z.Output)
	p, r2 := publish(t, z, main4, r.State, false, now)
	if !r2.Written || p.Serial != r.State.Serial {
		t.Fatalf("rewrite of a deleted file: written=%v serial=%d want %d", r2.Written, p.Serial, r.State.Serial)
	}
}

func TestBadRenderLeavesTheFile(t *testing.T) {
	z := newZone(t, tmplText)
	_, r := publish(t, z, main4, ZoneState{}, false, now)
	good, _ := os.ReadFile(z.Output)

	bad := newZone(t, tmplText+"www 300 IN CNAME elsewhere.example.net.\n")
	bad.Output = z.Output
	_, err := MakePlan(bad, Input{Active: backup, State: r.State, Now: now})
	if err == nil || !strings.Contains(err.Error(), "example.com.tmpl (rendered)") {
		t.Fatalf("error = %v, want one naming the rendered template", err)
	}
	after, _ := os.ReadFile(z.Output)
	if string(after) != string(good) {
		t.Fatal("a bad render changed the file")
	}
}

func TestTemplateWithoutSerialMarker(t *testing.T) {
	z := newZone(t, strings.Replace(tmplText, "@serial number@", "2012080201", 1))
	_, err := MakePlan(z, Input{Active: main4, Now: now})
	want := "zone example.com.: example.com.tmpl has no @serial number@ marker in its SOA (the serial always renders as 2012080201)"
	if err == nil || err.Error() != want {
		t.Fatalf("error = %v\nwant %s", err, want)
	}
}

func TestReloadFailureIsRetried(t *testing.T) {
	z := newZone(t, tmplText)
	marker := filepath.Join(t.TempDir(), "reloaded")
	z.Reload.Command = []string{"sh", "-c", "echo nsd is not running >&2; exit 3"}
	_, r := publish(t, z, main4, ZoneState{}, false, now)
	want := `zone example.com.: reload command "sh -c echo nsd is not running >&2; exit 3" failed: exit status 3: nsd is not running`
	if r.Reload == nil || r.Reload.Error() != want || !r.State.ReloadPending {
		t.Fatalf("reload error = %v, pending=%v\nwant %s", r.Reload, r.State.ReloadPending, want)
	}
	// The next run has no change, but the reload is still owed.
	z.Reload.Command = []string{"sh", "-c", "touch " + marker}
	_, r2 := publish(t, z, main4, r.State, false, now)
	if r2.Written || r2.Reload != nil || r2.State.ReloadPending {
		t.Fatalf("retry: written=%v reload=%v pending=%v", r2.Written, r2.Reload, r2.State.ReloadPending)
	}
	if _, err := os.Stat(marker); err != nil {
		t.Fatal("the reload command was not run again")
	}
}

func TestReloadTimeout(t *testing.T) {
	z := newZone(t, tmplText)
	z.Reload = Reload{Command: []string{"sleep", "30"}, Timeout: 50 * time.Millisecond}
	_, r := publish(t, z, main4, ZoneState{}, false, now)
	if r.Reload == nil || !strings.Contains(r.Reload.Error(), "timed out after 50ms") {
		t.Fatalf("reload error = %v", r.Reload)
	}
}
