package publish

import (
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/zonerw/zonerw/zones/store"
)

// TestAVersionNotStoredIsStoredOnceTheDiskTakesIt: a failover whose store
// fails (here a directory stands where its journal goes; in life a full
// disk) is
// served and reported as not stored, and it is stored without another
// change once the journal can be written again, so a restart starts from
// it and not from the version before.
func TestAVersionNotStoredIsStoredOnceTheDiskTakesIt(t *testing.T) {
	dir := t.TempDir()
	z := newZone(t, tmplText)
	st, err := store.Open(dir, 0, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	p := New(Config{Store: st, Now: func() time.Time { return now }, StoreRetry: fastRety})
	p.AddZone(z.Name, ZoneState{})
	rec := &recorder{}
	p.AddDestination(z.Name, "server", rec, time.Second, fastRety)
	apply(t, p, z, onMain(), false)
	p.Start()
	defer p.Stop(time.Second)

	// A directory where the journal should be: every append fails.
	jnls, _ := filepath.Glob(filepath.Join(dir, "*.jnl"))
	if len(jnls) != 1 {
		t.Fatalf("journals in the store: %v, want one", jnls)
	}
	jnl := jnls[0]
	if err := os.RemoveAll(jnl); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(jnl, 0o700); err != nil {
		t.Fatal(err)
	}
	ch := p.Publish(onBackup())
	if len(ch) != 1 || !errors.Is(ch[0].Err, ErrNotStored) || !ch[0].Changed {
		t.Fatalf("publish with the store gone: %+v, want a change not stored", ch)
	}
	failover := ch[0].Serial
	waitFor(t, "the nameserver to get the failover", func() bool { return last(rec) == failover })
	if zs, _ := p.Status(); zs[0].StoreError == "" {
		t.Fatal("status says nothing of the store that failed")
	}

	if err := os.Remove(jnl); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the version to be stored", func() bool { zs, _ := p.Status(); return zs[0].StoreError == "" })
	p.Stop(time.Second)

	again, err := store.Open(dir, 0, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	got := again.Load(z.Name)
	if got.Version == nil || got.Version.Serial() != failover {
		t.Fatalf("the store holds %v after the retry, want serial %d (problems %v)", got.Version, failover, got.Problems)
	}
}
