package rfc2136

import (
	"slices"
	"strings"
	"testing"

	"github.com/miekg/dns"
)

// versions reads the zone's history from the server's journal (IXFR from
// serial 1) and returns the values owner/qtype held after each change,
// starting from initial (what zoneText has).
func versions(t *testing.T, p primary, owner string, qtype uint16, initial ...string) [][]string {
	t.Helper()
	m := new(dns.Msg)
	m.SetIxfr(zone+".", 1, "ns1."+zone+".", "hostmaster."+zone+".")
	env, err := (&dns.Transfer{}).In(m, p.addr.String())
	if err != nil {
		t.Fatalf("IXFR: %v", err)
	}
	var rrs []dns.RR
	for e := range env {
		if e.Error != nil {
			t.Fatalf("IXFR: %v", e.Error)
		}
		rrs = append(rrs, e.RR...)
	}
	if len(rrs) < 2 || rrs[1].Header().Rrtype != dns.TypeSOA {
		t.Fatalf("the server answered the IXFR with a full zone (%d records): its journal does not reach serial 1", len(rrs))
	}
	set := slices.Clone(initial)
	var out [][]string
	deleting := false
	for i, rr := range rrs[1:] {
		if rr.Header().Rrtype == dns.TypeSOA {
			if !deleting && i > 0 {
				out = append(out, sorted(set))
			}
			deleting = !deleting
			continue
		}
		if !strings.EqualFold(rr.Header().Name, owner) || rr.Header().Rrtype != qtype {
			continue
		}
		v := strings.TrimPrefix(rr.String(), rr.Header().String())
		if deleting {
			set = slices.DeleteFunc(set, func(x string) bool { return x == v })
		} else if !slices.Contains(set, v) {
			set = append(set, v)
		}
	}
	return out
}

func sorted(s []string) []string {
	s = slices.Clone(s)
	slices.Sort(s)
	return s
}

// neverEmpty fails the test if owner/qtype was without a value in any
// version of the zone.
func neverEmpty(t *testing.T, p primary, owner string, qtype uint16, initial ...string) [][]string {
	t.Helper()
	vs := versions(t, p, owner, qtype, initial...)
	for i, v := range vs {
		if len(v) == 0 {
			t.Errorf("%s %s was empty after change %d of %d: %v", owner, dns.TypeToString[qtype], i+1, len(vs), vs)
		}
	}
	return vs
}
