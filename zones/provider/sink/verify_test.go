package sink

import (
	"log/slog"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/zonerw/zonerw/zones/provider"
)

// Each sink is read back on its own timer, every VerifyEvery, and the
// state is saved after each; Stop ends the timers.
func TestVerifierTicks(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		pub, err := provider.New(provider.Config{Name: "cf", Kind: provider.Cloudflare, Zone: "example.com", Token: "x",
			APIURL: "http://127.0.0.1:9/client/v4", Records: []provider.Record{{Name: "www", Type: "A", Service: "web"}}},
			slog.New(slog.DiscardHandler), time.Now)
		if err != nil {
			t.Fatal(err)
		}
		// Nothing published yet: a read-back has nothing to compare and
		// makes no request.
		s := New(pub, Options{Name: "cf", Services: []string{"web"}, VerifyEvery: time.Minute, Mode: Daemon,
			Report: func(string) {}, Observe: func(string, error) {}}, State{})
		var saved atomic.Int32
		v := StartVerifier([]*Sink{s}, time.Second, slog.New(slog.DiscardHandler), func() { saved.Add(1) })
		time.Sleep(3*time.Minute + time.Second)
		synctest.Wait()
		if n := saved.Load(); n != 3 {
			t.Errorf("saved %d times in 3 minutes, want 3", n)
		}
		v.Stop()
		time.Sleep(time.Hour)
		if n := saved.Load(); n != 3 {
			t.Errorf("saved %d times after Stop, want still 3", n)
		}
		var none *Verifier
		none.Stop()
	})
}
