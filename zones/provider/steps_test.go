package provider

import (
	"fmt"
	"net/netip"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/libdns/libdns"
)

func lv(s string) liveValue {
	a, _ := netip.ParseAddr(s)
	return liveValue{addr: a, raw: libdns.RR{Name: "www", Type: "A", Data: s}}
}

// lvt is lv held with a TTL.
func lvt(s string, ttl time.Duration) liveValue {
	v := lv(s)
	v.raw.TTL = ttl
	return v
}

func addrs(ss ...string) []netip.Addr {
	var out []netip.Addr
	for _, s := range ss {
		out = append(out, netip.MustParseAddr(s))
	}
	return out
}

// render writes steps as "replace old>new", "add new", "remove old".
func render(steps []step) string {
	var out []string
	for _, s := range steps {
		switch s.kind {
		case stepReplace:
			out = append(out, fmt.Sprintf("replace %s>%s", s.old.raw.Data, s.addr))
		case stepAdd:
			out = append(out, "add "+s.addr.String())
		case stepRemove:
			out = append(out, "remove "+s.old.raw.Data)
		case stepTTL:
			out = append(out, "ttl "+s.old.raw.Data)
		}
	}
	return strings.Join(out, ", ")
}

func TestPlanSteps(t *testing.T) {
	cases := []struct {
		name    string
		inPlace bool
		want    []netip.Addr
		live    []liveValue
		steps   string
		ttl     time.Duration // 0: not compared
	}{
		{"unchanged", true, addrs("192.0.2.1"), []liveValue{lv("192.0.2.1")}, "", 0},
		{"missing record is added", false, addrs("192.0.2.1"), nil, "add 192.0.2.1", 0},
		{"single flip in place", true, addrs("192.0.2.2"), []liveValue{lv("192.0.2.1")}, "replace 192.0.2.1>192.0.2.2", 0},
		{"single flip without in-place adds first", false, addrs("192.0.2.2"), []liveValue{lv("192.0.2.1")},
			"add 192.0.2.2, remove 192.0.2.1", 0},
		{"multi-value set to one", true, addrs("192.0.2.3"), []liveValue{lv("192.0.2.1"), lv("192.0.2.2")},
			"add 192.0.2.3, remove 192.0.2.1, remove 192.0.2.2", 0},
		{"keep the wanted one, drop the other", true, addrs("192.0.2.1"), []liveValue{lv("192.0.2.1"), lv("192.0.2.2")},
			"remove 192.0.2.2", 0},
		{"one to two in place then add", true, addrs("192.0.2.2", "192.0.2.3"), []liveValue{lv("192.0.2.1")},
			"replace 192.0.2.1>192.0.2.2, add 192.0.2.3", 0},
		{"garbage value is removed after the add", true, addrs("192.0.2.2"), []liveValue{lv("192.0.2.2"), lv("not-an-ip")},
			"remove not-an-ip", 0},
		// TTLs (a hand-set TTL is put back; a value change carries it).
		{"right ttl", true, addrs("192.0.2.1"), []liveValue{lvt("192.0.2.1", time.Minute)}, "", time.Minute},
		{"ttl in place", true, addrs("192.0.2.1"), []liveValue{lvt("192.0.2.1", 24*time.Hour)}, "replace 192.0.2.1>192.0.2.1", time.Minute},
		{"ttl without in-place", false, addrs("192.0.2.1", "192.0.2.2"), []liveValue{lvt("192.0.2.1", 24*time.Hour), lvt("192.0.2.2", 24*time.Hour)},
			"ttl 192.0.2.1", time.Minute},
		{"ttl with an addition: the addition writes it", false, addrs("192.0.2.1", "192.0.2.2"), []liveValue{lvt("192.0.2.1", 24*time.Hour)},
			"add 192.0.2.2", time.Minute},
		{"ttl of several in-place records: one at a time", true, addrs("192.0.2.1", "192.0.2.2"),
			[]liveValue{lvt("192.0.2.1", 24*time.Hour), lvt("192.0.2.2", time.Minute)}, "remove 192.0.2.1, add 192.0.2.1", time.Minute},
		{"proxied ttl is automatic", true, addrs("192.0.2.1"), []liveValue{{addr: netip.MustParseAddr("192.0.2.1"), proxied: true,
			raw: libdns.RR{Name: "www", Type: "A", Data: "192.0.2.1", TTL: time.Second}}}, "", time.Minute},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			steps := planSteps(tc.inPlace, tc.want, tc.ttl, tc.live)
			if got := render(steps); got != tc.steps {
				t.Fatalf("steps %q, want %q", got, tc.steps)
			}
			// Whatever the plan, replaying it never leaves the set empty
			// and ends with exactly want.
			held := map[netip.Addr]bool{}
			for _, v := range tc.live {
				held[v.addr] = true
			}
			for _, s := range steps {
				switch s.kind {
				case stepReplace:
					delete(held, s.old.addr)
					held[s.addr] = true
				case stepAdd:
					held[s.addr] = true
				case stepRemove:
					delete(held, s.old.addr)
				}
				if len(held) == 0 {
					t.Fatalf("the set is empty after %s", render([]step{s}))
				}
			}
			var end []netip.Addr
			for a := range held {
				end = append(end, a)
			}
			slices.SortFunc(end, netip.Addr.Compare)
			if !slices.Equal(end, tc.want) {
				t.Errorf("ends with %v, want %v", end, tc.want)
			}
		})
	}
}

func TestFamilyPicksSortedUniqueAddresses(t *testing.T) {
	in := addrs("2001:db8::2", "192.0.2.2", "::ffff:192.0.2.1", "192.0.2.2", "2001:db8::1")
	if got, want := family(in, false), addrs("192.0.2.1", "192.0.2.2"); !slices.Equal(got, want) {
		t.Errorf("IPv4: %v, want %v", got, want)
	}
	if got, want := family(in, true), addrs("2001:db8::1", "2001:db8::2"); !slices.Equal(got, want) {
		t.Errorf("IPv6: %v, want %v", got, want)
	}
}
