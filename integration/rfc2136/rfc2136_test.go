// Package rfc2136 tests zones/provider's rfc2136 kind against real BIND
// and Knot primaries on loopback, each started by the test from a temp
// config around README.md's own zone stanza.
package rfc2136

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/miekg/dns"
	"github.com/zonerw/zonerw/integration/peers"
	"github.com/zonerw/zonerw/zones/provider"
)

// Through a failover and back the records at the server hold exactly the
// active address at each step (dig), and were never empty in any version
// of the zone (the server's journal, by IXFR).
func TestFlipToBackupAndBack(t *testing.T) {
	for _, s := range servers {
		t.Run(s.name, func(t *testing.T) {
			p := startPrimary(t, s, s.stanza(t))
			r := newRig(t, p, nil)

			r.publish(t, onMain) // already there: nothing to change
			holds(t, p, "www.example.com", "A", main4)
			r.publish(t, onBkup)
			holds(t, p, "www.example.com", "A", backup4)
			holds(t, p, "example.com", "AAAA", backup6)
			r.publish(t, onMain)
			holds(t, p, "www.example.com", "A", main4)
			holds(t, p, "example.com", "AAAA", main6)

			vs := neverEmpty(t, p, "www.example.com.", dns.TypeA, main4.String())
			if n := len(vs); n < 2 || !slices.Equal(vs[n-1], []string{main4.String()}) {
				t.Errorf("www A history %v; want at least two changes, ending on %s", vs, main4)
			}
			neverEmpty(t, p, "example.com.", dns.TypeAAAA, main6.String())
			for _, rec := range r.pub.Status().Records {
				if !rec.InSync() || rec.VerifiedAt.IsZero() {
					t.Errorf("status: %s %s live %v want %v, verified %v", rec.Name, rec.Type, rec.Live, rec.Want, rec.VerifiedAt)
				}
			}
			if len(r.slept()) != 0 {
				t.Errorf("waits %v: nothing failed, nothing should have been retried", r.slept())
			}
		})
	}
}

// update sends a signed UPDATE replacing name/A with addr, as an operator
// with nsupdate would.
func update(t *testing.T, p primary, name, addr string) {
	t.Helper()
	m := new(dns.Msg)
	m.SetUpdate(zone + ".")
	rr, err := dns.NewRR(name + " 60 IN A " + addr)
	if err != nil {
		t.Fatal(err)
	}
	m.RemoveRRset([]dns.RR{rr})
	m.Insert([]dns.RR{rr})
	key := dns.Fqdn(p.key.Name)
	m.SetTsig(key, dns.HmacSHA256, 300, time.Now().Unix())
	c := &dns.Client{Net: "tcp", TsigSecret: map[string]string{key: p.key.Secret}}
	if r, _, err := c.Exchange(m, p.addr.String()); err != nil || r.Rcode != dns.RcodeSuccess {
		t.Fatalf("update by hand: %v %v", err, r)
	}
}

// A change made at the server by hand is found and put back (fix), or
// only reported (report).
func TestDriftIsFoundAndFixed(t *testing.T) {
	for _, s := range servers {
		for _, policy := range []string{provider.DriftFix, provider.DriftReport} {
			t.Run(s.name+"/"+policy, func(t *testing.T) {
				p := startPrimary(t, s, s.stanza(t))
				r := newRig(t, p, func(c *provider.Config) { c.OnDrift = policy })
				r.publish(t, onBkup)
				update(t, p, "www.example.com.", "203.0.113.99")
				drift, err := r.pub.Reconcile(context.Background(), onBkup)
				if err != nil {
					t.Fatalf("Reconcile: %v", err)
				}
				fix := policy == provider.DriftFix
				if len(drift) != 1 || !slices.Equal(drift[0].Live, []string{"203.0.113.99"}) || drift[0].Fixed != fix {
					t.Fatalf("drift %+v; want www A holding 203.0.113.99, fixed %v", drift, fix)
				}
				if fix {
					holds(t, p, "www.example.com", "A", backup4)
				} else if got := dig(t, p, "www.example.com", "A"); !slices.Equal(got, []string{"203.0.113.99"}) {
					t.Errorf("report mode changed the record: %v", got)
				}
				holds(t, p, "example.com", "AAAA", backup6)
			})
		}
	}
}

// publishFails publishes onBkup, expects failure f with exactly text, no
// retry, and the records still on main.
func publishFails(t *testing.T, p primary, r *rig, f provider.Failure, sentinel error, text string) {
	t.Helper()
	err := r.pub.Publish(context.Background(), onBkup)
	if err == nil || err.Error() != text {
		t.Fatalf("error\n %v\nwant\n %s", err, text)
	}
	if got := provider.Classify(err); got != f || !errors.Is(err, sentinel) {
		t.Errorf("Classify = %s (errors.Is %v: %v), want %s", got, sentinel, errors.Is(err, sentinel), f)
	}
	if len(r.slept()) != 0 {
		t.Errorf("waits %v: a %s failure must not be retried within the publish", r.slept(), f)
	}
	holds(t, p, "www.example.com", "A", main4)
}

// A wrong key gives one clear error, naming the key, its file, the server
// and what the server said.
func TestWrongKey(t *testing.T) {
	for _, s := range servers {
		t.Run(s.name+"/wrong secret", func(t *testing.T) {
			p := startPrimary(t, s, s.stanza(t))
			r := newRig(t, p, func(c *provider.Config) { c.Key.Secret = newKey(t).Secret })
			publishFails(t, p, r, provider.FailureCredentials, provider.ErrTokenRefused,
				`primary: the TSIG key "zonerw" (file /etc/zonerw/zonerw.key) was refused by `+p.addr.String()+
					" (BADSIG): the server's key of this name has another secret or algorithm")
		})
		t.Run(s.name+"/unknown key", func(t *testing.T) {
			p := startPrimary(t, s, s.stanza(t))
			r := newRig(t, p, func(c *provider.Config) { c.Key.Name = "other" })
			publishFails(t, p, r, provider.FailureCredentials, provider.ErrTokenRefused,
				`primary: the TSIG key "zonerw" (file /etc/zonerw/zonerw.key) was refused by `+p.addr.String()+
					" (BADKEY): the server has no key of this name (and algorithm)")
		})
	}
}

// A key the server's policy does not let update these records: BIND
// answers REFUSED, Knot NOTAUTH; both are a missing permission.
func TestKeyNotAllowedToUpdate(t *testing.T) {
	restrict := map[string]func(t *testing.T, stanza string) string{
		"bind": func(t *testing.T, st string) string {
			return mustReplace(t, st, "grant zonerw name www.example.com. A AAAA;", "grant zonerw name other.example.com. A AAAA;")
		},
		"knot": func(t *testing.T, st string) string {
			return mustReplace(t, st, "update-owner-name: [www, example.com.]", "update-owner-name: [other]")
		},
	}
	rcode := map[string]string{"bind": "REFUSED", "knot": "NOTAUTH"}
	for _, s := range servers {
		t.Run(s.name, func(t *testing.T) {
			p := startPrimary(t, s, restrict[s.name](t, s.stanza(t)))
			r := newRig(t, p, func(c *provider.Config) { c.Records = c.Records[:1] })
			var want string
			if s.name == "bind" {
				want = "primary: " + p.addr.String() + " refused the update of www.example.com. A (adding 198.51.100.20) in zone example.com. signed with the TSIG key " + keySource +
					" (REFUSED): let the key update www.example.com. A (BIND: allow-update or update-policy; Knot: an acl with action update)"
			} else {
				want = "primary: " + p.addr.String() + " did not accept the update of www.example.com. A (adding 198.51.100.20) in zone example.com. signed with the TSIG key " + keySource +
					" (NOTAUTH): let the key update www.example.com. A (Knot: an acl with action update; BIND: allow-update or update-policy), on the zone's primary"
			}
			if !strings.Contains(want, rcode[s.name]) {
				t.Fatal("test table out of step")
			}
			publishFails(t, p, r, provider.FailurePermission, provider.ErrPermission, want)
		})
	}
}

// One record the policy does not cover (www A) does not keep the other
// (@ AAAA) from being published: the error names the refused record, and
// the status shows what each holds.
func TestOneRefusedRecordDoesNotBlockTheOthers(t *testing.T) {
	restrict := map[string]func(t *testing.T, stanza string) string{
		"bind": func(t *testing.T, st string) string {
			return mustReplace(t, st, "grant zonerw name www.example.com. A AAAA;", "grant zonerw name other.example.com. A AAAA;")
		},
		"knot": func(t *testing.T, st string) string {
			return mustReplace(t, st, "update-owner-name: [www, example.com.]", "update-owner-name: [example.com.]")
		},
	}
	for _, s := range servers {
		t.Run(s.name, func(t *testing.T) {
			p := startPrimary(t, s, restrict[s.name](t, s.stanza(t)))
			r := newRig(t, p, nil)
			err := r.pub.Publish(context.Background(), onBkup)
			if err == nil || !strings.Contains(err.Error(), "the update of www.example.com. A (adding 198.51.100.20) in zone example.com.") ||
				!strings.Contains(err.Error(), "let the key update www.example.com. A") {
				t.Fatalf("error %v: want one naming www.example.com. A", err)
			}
			holds(t, p, "example.com", "AAAA", backup6)
			holds(t, p, "www.example.com", "A", main4)
			st := r.pub.Status()
			if www, apex := st.Records[0], st.Records[1]; !slices.Equal(www.Live, []netip.Addr{main4}) || !www.Pending() ||
				!slices.Equal(apex.Live, []netip.Addr{backup6}) || !apex.InSync() {
				t.Errorf("status %+v: want www on main (pending), @ AAAA on backup (in sync)", st.Records)
			}
		})
	}
}

// A TTL set by hand (nsupdate) is a drift: put back under fix, reported
// under report, saying it is the TTL.
func TestTTLDriftIsFoundAndPutBack(t *testing.T) {
	for _, s := range servers {
		for _, policy := range []string{provider.DriftFix, provider.DriftReport} {
			t.Run(s.name+"/"+policy, func(t *testing.T) {
				p := startPrimary(t, s, s.stanza(t))
				r := newRig(t, p, func(c *provider.Config) { c.OnDrift = policy })
				r.publish(t, onBkup)
				updateTTL(t, p, "www.example.com.", backup4.String(), 86400)
				drift, err := r.pub.Reconcile(context.Background(), onBkup)
				if err != nil || len(drift) != 1 {
					t.Fatalf("Reconcile: %v, %v; want one drift", drift, err)
				}
				want := map[string]string{provider.DriftFix: "put back", provider.DriftReport: "reported only (on_drift: report)"}[policy]
				if got := drift[0].String(); got != "www.example.com. A holds 198.51.100.20 with TTL 86400, want TTL 60; "+want {
					t.Errorf("drift %s", got)
				}
				wantTTL := map[string]uint32{provider.DriftFix: 60, provider.DriftReport: 86400}[policy]
				if got := ttlOf(t, p, "www.example.com."); got != wantTTL {
					t.Errorf("www A has TTL %d, want %d", got, wantTTL)
				}
				holds(t, p, "www.example.com", "A", backup4)
			})
		}
	}
}

// updateTTL replaces name's A RRset with addr at ttl, as nsupdate would.
func updateTTL(t *testing.T, p primary, name, addr string, ttl int) {
	t.Helper()
	rr, err := dns.NewRR(fmt.Sprintf("%s %d IN A %s", name, ttl, addr))
	if err != nil {
		t.Fatal(err)
	}
	m := new(dns.Msg)
	m.SetUpdate(zone + ".")
	m.RemoveRRset([]dns.RR{rr})
	m.Insert([]dns.RR{rr})
	key := dns.Fqdn(p.key.Name)
	m.SetTsig(key, dns.HmacSHA256, 300, time.Now().Unix())
	c := &dns.Client{Net: "tcp", TsigSecret: map[string]string{key: p.key.Secret}}
	if r, _, err := c.Exchange(m, p.addr.String()); err != nil || r.Rcode != dns.RcodeSuccess {
		t.Fatalf("update by hand: %v %v", err, r)
	}
}

// ttlOf is the TTL the server gives name's A records.
func ttlOf(t *testing.T, p primary, name string) uint32 {
	t.Helper()
	m := new(dns.Msg)
	m.SetQuestion(name, dns.TypeA)
	r, _, err := (&dns.Client{Net: "tcp", Timeout: 5 * time.Second}).Exchange(m, p.addr.String())
	if err != nil || len(r.Answer) == 0 {
		t.Fatalf("query %s A: %v %v", name, err, r)
	}
	return r.Answer[0].Header().Ttl
}

// A zone the server does not serve is reported as such.
func TestZoneNotServed(t *testing.T) {
	for _, s := range servers {
		t.Run(s.name, func(t *testing.T) {
			p := startPrimary(t, s, s.stanza(t))
			r := newRig(t, p, func(c *provider.Config) { c.Zone = "example.org" })
			err := r.pub.Publish(context.Background(), onBkup)
			want := "primary: " + p.addr.String() + " refused a query for zone example.org. (REFUSED): it does not serve the zone, " +
				"or does not let the TSIG key " + keySource + " query it"
			if err == nil || err.Error() != want {
				t.Fatalf("error\n %v\nwant\n %s", err, want)
			}
			if provider.Classify(err) != provider.FailureZoneMissing || !errors.Is(err, provider.ErrZoneMissing) {
				t.Errorf("Classify = %s, want zone_missing", provider.Classify(err))
			}
		})
	}
}

// Nothing listening: a transient failure, retried with backoff, then
// reported with the server's address.
func TestServerDown(t *testing.T) {
	p := primary{addr: peers.FreePort(t, "127.0.0.1"), key: newKey(t)}
	r := newRig(t, p, nil)
	err := r.pub.Publish(context.Background(), onBkup)
	if err == nil || !strings.Contains(err.Error(), "primary: reading the zone example.com.: "+p.addr.String()+": ") ||
		!strings.Contains(err.Error(), "connection refused") || !strings.Contains(err.Error(), "gave up after 6 attempts") {
		t.Fatalf("error %v", err)
	}
	if provider.Classify(err) != provider.FailureTransient || len(r.slept()) != 5 {
		t.Errorf("Classify = %s after waits %v; want transient, retried 5 times", provider.Classify(err), r.slept())
	}
}
