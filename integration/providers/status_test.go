package providers

import (
	"context"
	"net/netip"
	"slices"
	"testing"
	"time"

	"github.com/zonerw/zonerw/zones/provider"
)

// After a publish that fails, the status shows what the provider still
// holds (read just before the failing write), when that was read, and
// the change that is pending.
func TestStatusShowsLiveValueAndPendingChange(t *testing.T) {
	for _, k := range kinds {
		t.Run(string(k.kind), func(t *testing.T) {
			e := k.emu(t)
			e.seed("www", "A", main4.String())
			e.seed("@", "AAAA", main6.String())
			r := newRig(t, k.kind, e, nil)
			r.publish(t, onMain)
			published := r.now

			r.now = r.now.Add(10 * time.Minute)
			e.Inject(Fault{Method: writeMethod(k.kind), Status: 502, HTML: true, Times: -1})
			if k.kind == provider.Cloudflare {
				e.Inject(Fault{Method: "PATCH", Status: 502, HTML: true, Times: -1})
			}
			err := r.pub.Publish(context.Background(), onBkup)
			if err == nil {
				t.Fatal("Publish succeeded though every write fails")
			}
			st := r.pub.Status()
			www := st.Records[0]
			if !slices.Equal(www.Live, []netip.Addr{main4}) || !slices.Equal(www.Want, []netip.Addr{backup4}) || !www.Pending() {
				t.Errorf("www A: live %v want %v pending %v; want live [%s], want [%s], pending", www.Live, www.Want, www.Pending(), main4, backup4)
			}
			if !www.VerifiedAt.Equal(r.now) || !st.LastVerified.Equal(r.now) || !st.LastSuccess.Equal(published) {
				t.Errorf("verified at %v (status %v), last success %v; want %v, %v", www.VerifiedAt, st.LastVerified, st.LastSuccess, r.now, published)
			}
			if st.LastError != err.Error() || st.Failure != "transient" || st.Endpoint != e.URL() {
				t.Errorf("status error %q failure %q endpoint %q", st.LastError, st.Failure, st.Endpoint)
			}
		})
	}
}
