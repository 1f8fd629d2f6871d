package providers

import (
	"context"
	"net/netip"
	"slices"
	"strings"
	"testing"

	"github.com/zonerw/zonerw/zones/provider"
)

// A record changed by hand is found by Reconcile, and put back ("fix") or
// only reported ("report").
func TestDriftIsFoundAndFixedOrReported(t *testing.T) {
	const manual = "203.0.113.99"
	for _, k := range kinds {
		for _, policy := range []string{provider.DriftFix, provider.DriftReport} {
			t.Run(string(k.kind)+"/"+policy, func(t *testing.T) {
				e := k.emu(t)
				e.seed("www", "A", main4.String())
				e.seed("@", "AAAA", main6.String())
				r := newRig(t, k.kind, e, func(cfg *provider.Config) { cfg.OnDrift = policy })
				r.publish(t, onBkup)
				e.edit("www", "A", manual)

				drift, err := r.pub.Reconcile(context.Background(), onBkup)
				if err != nil {
					t.Fatalf("Reconcile: %v", err)
				}
				fix := policy == provider.DriftFix
				if len(drift) != 1 || drift[0].Record.Name != "www" || !slices.Equal(drift[0].Live, []string{manual}) || drift[0].Fixed != fix {
					t.Fatalf("drift %+v; want www A live [%s], fixed %v", drift, manual, fix)
				}
				if fix {
					holds(t, e, "www", "A", backup4)
				} else if got := e.values("www", "A"); !slices.Equal(got, []string{manual}) {
					t.Errorf("report mode changed the record to %v", got)
				}
				holds(t, e, "@", "AAAA", backup6)
				neverEmpty(t, e, "www.example.com", "A")
				if !r.logs.contains("drifted") {
					t.Errorf("the drift was not logged:\n%s", r.logs)
				}
				if inSync := r.pub.Status().Records[0].InSync(); inSync != fix {
					t.Errorf("status says www A in sync = %v, want %v", inSync, fix)
				}
			})
		}
	}
}

// Without drift, Reconcile only reads.
func TestReconcileWithoutDriftOnlyReads(t *testing.T) {
	for _, k := range kinds {
		t.Run(string(k.kind), func(t *testing.T) {
			e := k.emu(t)
			e.seed("www", "A", main4.String())
			e.seed("@", "AAAA", main6.String())
			r := newRig(t, k.kind, e, nil)
			drift, err := r.pub.Reconcile(context.Background(), onMain)
			if err != nil || len(drift) != 0 {
				t.Fatalf("Reconcile: drift %+v, err %v; want none", drift, err)
			}
			for m, n := range methods(e) {
				if m != "GET" {
					t.Errorf("%d %s requests during a reconcile without drift", n, m)
				}
			}
		})
	}
}

// The dry run lists the calls a flip would make and makes none of them.
func TestPlanMakesNoChanges(t *testing.T) {
	want := map[provider.Kind][]string{
		provider.Cloudflare: {
			"www.example.com. A: changing 192.0.2.10 to 198.51.100.20 in place (GET dns_records by name and type, then PATCH the record (keeps proxied), ttl 60s)",
			"example.com. AAAA: unchanged [2001:db8::10]",
			"then read the zone example.com. back and verify",
		},
		provider.Gandi: {
			"www.example.com. A: adding 198.51.100.20 (GET records/www/A, then PUT it with the value added, ttl 300s)",
			"www.example.com. A: removing 192.0.2.10 (GET records/www/A, then PUT it without the value (DELETE if it were the last))",
			"example.com. AAAA: unchanged [2001:db8::10]",
			"then read the zone example.com. back and verify",
		},
	}
	for _, k := range kinds {
		t.Run(string(k.kind), func(t *testing.T) {
			e := k.emu(t)
			e.seed("www", "A", main4.String())
			e.seed("@", "AAAA", main6.String())
			r := newRig(t, k.kind, e, nil)
			lines, err := r.pub.Plan(context.Background(), map[string][]netip.Addr{"web": {backup4, main6}})
			if err != nil {
				t.Fatalf("Plan: %v", err)
			}
			if !slices.Equal(lines, want[k.kind]) {
				t.Errorf("plan:\n%s\nwant:\n%s", strings.Join(lines, "\n"), strings.Join(want[k.kind], "\n"))
			}
			holds(t, e, "www", "A", main4)
			for m, n := range methods(e) {
				if m != "GET" {
					t.Errorf("%d %s requests during a dry run", n, m)
				}
			}
		})
	}
}
