package dnsserver

import (
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/miekg/dns"
	"github.com/zonerw/zonerw/zones"
	"github.com/zonerw/zonerw/zones/dnssec"
)

// signedTestServer serves testZone signed with policy p.
func signedTestServer(t testing.TB, p dnssec.Policy) (*Server, *dns.DNSKEY) {
	t.Helper()
	return signedServerOf(t, p, testZone)
}

// signedServerOf serves the example.com zone text signed with policy p.
func signedServerOf(t testing.TB, p dnssec.Policy, text string) (*Server, *dns.DNSKEY) {
	t.Helper()
	s, err := New(Config{Zones: []ZoneConfig{{Name: "example.com."}}}, discardLog())
	if err != nil {
		t.Fatal(err)
	}
	now := func() time.Time { return time.Now() }
	k, err := dnssec.OpenKeeper(filepath.Join(t.TempDir(), "keys"), "example.com.", p, now())
	if err != nil {
		t.Fatal(err)
	}
	sb, err := dnssec.NewSigner(k, now).SignBase(parseZone(t, "example.com.", text).Base())
	if err != nil {
		t.Fatal(err)
	}
	v, err := sb.NewVersion(2024010101, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Publish(v); err != nil {
		t.Fatal(err)
	}
	keys, _ := v.Apex().RRset(dns.TypeDNSKEY)
	return s, keys.Records("example.com.")[0].(*dns.DNSKEY)
}

func doQuery(name string, qtype uint16) *dns.Msg {
	m := query(name, qtype)
	m.SetEdns0(4096, true)
	return m
}

// checkSigned wants every RRset in answer and authority signed by key.
func checkSigned(t *testing.T, m *dns.Msg, key *dns.DNSKEY) {
	t.Helper()
	for _, sec := range [][]dns.RR{m.Answer, m.Ns} {
		type k struct {
			name  string
			rtype uint16
		}
		sets := map[k][]dns.RR{}
		var sigs []*dns.RRSIG
		for _, rr := range sec {
			if sig, ok := rr.(*dns.RRSIG); ok {
				sigs = append(sigs, sig)
				continue
			}
			h := rr.Header()
			sets[k{strings.ToLower(h.Name), h.Rrtype}] = append(sets[k{strings.ToLower(h.Name), h.Rrtype}], rr)
		}
		for key2, rrs := range sets {
			if key2.rtype == dns.TypeNS && len(m.Answer) == 0 && !m.Authoritative {
				continue // a referral's NS is not signed
			}
			ok := false
			for _, sig := range sigs {
				if strings.EqualFold(sig.Hdr.Name, key2.name) && sig.TypeCovered == key2.rtype && sig.Verify(key, rrs) == nil {
					ok = true
				}
			}
			if !ok {
				t.Errorf("%s %s: no RRSIG that verifies\n%v", key2.name, dns.Type(key2.rtype), m)
			}
		}
	}
}

// covers reports whether an NSEC in rrs covers (or, with match, matches) name.
func nsecCovers(rrs []dns.RR, name string, match bool) bool {
	w, _ := zones.AppendWireName(nil, name)
	for _, rr := range rrs {
		n, ok := rr.(*dns.NSEC)
		if !ok {
			continue
		}
		owner, _ := zones.AppendWireName(nil, n.Hdr.Name)
		next, _ := zones.AppendWireName(nil, n.NextDomain)
		if match {
			if zones.CompareWire(owner, w) == 0 {
				return true
			}
			continue
		}
		after, before := zones.CompareWire(owner, w) < 0, zones.CompareWire(w, next) < 0
		wraps := zones.CompareWire(next, owner) <= 0
		if after && before || wraps && (after || before) {
			return true
		}
	}
	return false
}

func nsec3Proves(rrs []dns.RR, name string, match bool) bool {
	for _, rr := range rrs {
		if n, ok := rr.(*dns.NSEC3); ok && (match && n.Match(name) || !match && n.Cover(name)) {
			return true
		}
	}
	return false
}

func TestDNSSECAnswers(t *testing.T) {
	type proof struct {
		name  string
		match bool // matches the name (else covers it)
	}
	cases := []struct {
		qname string
		qtype uint16
		rcode int
		nsec  []proof
		nsec3 []proof
	}{
		{"www.example.com.", dns.TypeA, dns.RcodeSuccess, nil, nil},
		{"example.com.", dns.TypeDNSKEY, dns.RcodeSuccess, nil, nil},
		{"alias.example.com.", dns.TypeA, dns.RcodeSuccess, nil, nil},
		{"www.example.com.", dns.TypeTXT, dns.RcodeSuccess, []proof{{"www.example.com.", true}}, []proof{{"www.example.com.", true}}},
		{"nope.example.com.", dns.TypeA, dns.RcodeNameError,
			[]proof{{"nope.example.com.", false}, {"*.example.com.", false}},
			[]proof{{"example.com.", true}, {"nope.example.com.", false}, {"*.example.com.", false}}},
		{"x.y.wild.example.com.", dns.TypeTXT, dns.RcodeSuccess, // wildcard answer
			[]proof{{"x.y.wild.example.com.", false}}, []proof{{"y.wild.example.com.", false}}},
		{"x.wild.example.com.", dns.TypeMX, dns.RcodeSuccess, // wildcard NODATA
			[]proof{{"x.wild.example.com.", false}, {"*.wild.example.com.", true}},
			[]proof{{"wild.example.com.", true}, {"x.wild.example.com.", false}, {"*.wild.example.com.", true}}},
		{"b.ent.example.com.", dns.TypeA, dns.RcodeSuccess, // an empty non-terminal
			[]proof{{"b.ent.example.com.", false}}, []proof{{"b.ent.example.com.", true}}},
		{"host.nods.example.com.", dns.TypeA, dns.RcodeSuccess, // referral, unsigned
			[]proof{{"nods.example.com.", true}}, []proof{{"nods.example.com.", true}}},
		{"nods.example.com.", dns.TypeDS, dns.RcodeSuccess, // no DS
			[]proof{{"nods.example.com.", true}}, []proof{{"nods.example.com.", true}}},
		{"host.sub.example.com.", dns.TypeA, dns.RcodeSuccess, nil, nil}, // referral, signed: DS and its RRSIG
	}
	for _, nsec3 := range []bool{false, true} {
		s, key := signedTestServer(t, dnssec.Policy{NSEC3: nsec3})
		for _, c := range cases {
			w := newRecorder(t, false, "127.0.0.1")
			s.ServeDNS(w, doQuery(c.qname, c.qtype))
			m := w.only()
			if m.Rcode != c.rcode {
				t.Errorf("nsec3=%v %s %s: rcode %s, want %s", nsec3, c.qname, dns.Type(c.qtype), dns.RcodeToString[m.Rcode], dns.RcodeToString[c.rcode])
			}
			checkSigned(t, m, key)
			proofs := c.nsec
			if nsec3 {
				proofs = c.nsec3
			}
			for _, p := range proofs {
				ok := nsecCovers(m.Ns, p.name, p.match)
				if nsec3 {
					ok = nsec3Proves(m.Ns, p.name, p.match)
				}
				if !ok {
					t.Errorf("nsec3=%v %s %s: no proof for %s (match %v)\n%v", nsec3, c.qname, dns.Type(c.qtype), p.name, p.match, m)
				}
			}
			if c.qname == "host.sub.example.com." && !slices.ContainsFunc(m.Ns, func(rr dns.RR) bool { return rr.Header().Rrtype == dns.TypeDS }) {
				t.Errorf("referral to a signed delegation without its DS:\n%v", m)
			}
		}
	}
}

// TestDNSSECAdditionalSigned: with DO, the addresses an answer's MX or NS
// targets have in the zone come with their RRSIGs in the additional
// section (RFC 4035 section 3.1.1), each verifying; a referral's glue,
// below the cut, comes unsigned; without DO no RRSIG is added.
func TestDNSSECAdditionalSigned(t *testing.T) {
	s, key := signedTestServer(t, dnssec.Policy{})
	extra := func(m *dns.Msg) (sets map[string][]dns.RR, sigs map[string]*dns.RRSIG) {
		sets, sigs = map[string][]dns.RR{}, map[string]*dns.RRSIG{}
		for _, rr := range m.Extra {
			h := rr.Header()
			if sig, ok := rr.(*dns.RRSIG); ok {
				sigs[strings.ToLower(h.Name)+" "+dns.Type(sig.TypeCovered).String()] = sig
			} else if h.Rrtype != dns.TypeOPT {
				k := strings.ToLower(h.Name) + " " + dns.Type(h.Rrtype).String()
				sets[k] = append(sets[k], rr)
			}
		}
		return sets, sigs
	}
	for _, c := range []struct {
		qname  string
		qtype  uint16
		signed []string // address RRsets in additional, each with a valid RRSIG
	}{
		{"example.com.", dns.TypeMX, []string{"mail.example.com. A"}},
		{"example.com.", dns.TypeNS, []string{"ns1.example.com. A", "ns2.example.com. A"}},
	} {
		w := newRecorder(t, false, "127.0.0.1")
		s.ServeDNS(w, doQuery(c.qname, c.qtype))
		m := w.only()
		sets, sigs := extra(m)
		for _, k := range c.signed {
			sig, rrs := sigs[k], sets[k]
			if len(rrs) == 0 {
				t.Errorf("%s %s: no %s in additional\n%v", c.qname, dns.Type(c.qtype), k, m)
				continue
			}
			if sig == nil || sig.Verify(key, rrs) != nil {
				t.Errorf("%s %s: %s in additional without an RRSIG that verifies\n%v", c.qname, dns.Type(c.qtype), k, m)
			}
		}
		if len(sigs) != len(c.signed) {
			t.Errorf("%s %s: %d RRSIGs in additional, want %d\n%v", c.qname, dns.Type(c.qtype), len(sigs), len(c.signed), m)
		}

		w = newRecorder(t, false, "127.0.0.1")
		q := query(c.qname, c.qtype)
		q.SetEdns0(4096, false)
		s.ServeDNS(w, q)
		if _, sigs := extra(w.only()); len(sigs) != 0 {
			t.Errorf("%s %s without DO: RRSIGs in additional\n%v", c.qname, dns.Type(c.qtype), w.only())
		}
	}

	w := newRecorder(t, false, "127.0.0.1")
	s.ServeDNS(w, doQuery("host.sub.example.com.", dns.TypeA))
	m := w.only()
	sets, sigs := extra(m)
	if len(sets["ns.sub.example.com. A"]) == 0 || len(sigs) != 0 {
		t.Errorf("referral: want the glue ns.sub.example.com. A unsigned in additional\n%v", m)
	}

	// Where they do not fit, the additional records go and TC stays
	// clear: it is not set for them alone. Eight name servers with an
	// A and an AAAA each, all signed, are too many for 512 bytes.
	big := "$ORIGIN example.com.\n$TTL 3600\n@ SOA ns1 hostmaster 1 7200 3600 1209600 300\n"
	for i := 1; i <= 8; i++ {
		big += fmt.Sprintf("@ NS ns%d\nns%d A 192.0.2.%d\nns%d AAAA 2001:db8::%d\n", i, i, i, i, i)
	}
	bs, bkey := signedServerOf(t, dnssec.Policy{}, big)
	wf := newRecorder(t, true, "127.0.0.1") // over TCP: all of it
	bs.ServeDNS(wf, doQuery("example.com.", dns.TypeNS))
	full := wf.only()
	w = newRecorder(t, false, "127.0.0.1")
	q := query("example.com.", dns.TypeNS)
	q.SetEdns0(512, true)
	bs.ServeDNS(w, q)
	m = w.only()
	m.Compress = true
	if m.Len() > 512 || m.Truncated || len(m.Answer) != 9 || len(m.Extra) >= len(full.Extra) {
		t.Errorf("NS with DO in 512 bytes: %d bytes, TC %v, %d answers, %d of %d additional; want the 8 NS and their RRSIG, less additional, no TC\n%v",
			m.Len(), m.Truncated, len(m.Answer), len(m.Extra), len(full.Extra), m)
	}
	checkSigned(t, m, bkey)
	if _, sigs := extra(full); len(sigs) != 16 {
		t.Errorf("NS with DO over TCP: %d RRSIGs in additional, want 16 (an A and an AAAA for each name server)\n%v", len(sigs), full)
	}
}

// TestDNSSECNotAsked: without DO, a signed zone answers as an unsigned one.
func TestDNSSECNotAsked(t *testing.T) {
	s, _ := signedTestServer(t, dnssec.Policy{NSEC3: true})
	for _, q := range []*dns.Msg{query("www.example.com.", dns.TypeA), query("nope.example.com.", dns.TypeA)} {
		w := newRecorder(t, false, "127.0.0.1")
		s.ServeDNS(w, q)
		for _, rr := range append(w.only().Answer, w.only().Ns...) {
			if t2 := rr.Header().Rrtype; t2 == dns.TypeRRSIG || t2 == dns.TypeNSEC3 {
				t.Errorf("%s without DO got %v", q.Question[0].Name, rr)
			}
		}
	}
	// A hashed owner name is not a name of the zone (RFC 5155 section 7.2.8).
	w := newRecorder(t, false, "127.0.0.1")
	s.ServeDNS(w, doQuery(strings.ToLower(dns.HashName("www.example.com.", dns.SHA1, 0, ""))+".example.com.", dns.TypeNSEC3))
	if w.only().Rcode != dns.RcodeNameError {
		t.Errorf("query for a hashed owner: %s, want NXDOMAIN", dns.RcodeToString[w.only().Rcode])
	}
}

// FuzzSignedAnswer signs arbitrary zone text and answers a query with DO
// from it, NSEC and NSEC3 alike: whatever the zone, no panic, and the
// answer packs.
func FuzzSignedAnswer(f *testing.F) {
	f.Add(testZone, "nope.x.wild.example.com.", uint16(dns.TypeA), false)
	f.Add(testZone, "b.ent.example.com.", uint16(dns.TypeDS), true)
	f.Add("$ORIGIN example.com.\n@ SOA a b 1 2 3 4 5\n@ NS a\na A 192.0.2.9\n*.x CNAME *.x\nx.y NS z.x.y.\nz.x.y A 192.0.2.1\n", "q.x.example.com.", uint16(dns.TypeDS), true)
	now := func() time.Time { return time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC) }
	keepers := map[bool]*dnssec.Keeper{}
	for _, nsec3 := range []bool{false, true} {
		k, err := dnssec.OpenKeeper(filepath.Join(f.TempDir(), "keys"), "example.com.", dnssec.Policy{NSEC3: nsec3}, now())
		if err != nil {
			f.Fatal(err)
		}
		keepers[nsec3] = k
	}
	f.Fuzz(func(t *testing.T, text, qname string, qtype uint16, nsec3 bool) {
		if strings.Contains(strings.ToUpper(text), "$GENERATE") || len(text) > 4096 {
			return // many records: slow to sign, and tests the parser, not the answers
		}
		v, err := zones.ParseVersion("example.com.", "fuzz", []byte(text), zones.ParseOptions{})
		if err != nil {
			return
		}
		sb, err := dnssec.NewSigner(keepers[nsec3], now).SignBase(v.Base())
		if err != nil {
			return // a zone with DNSSEC records of its own is refused
		}
		sv, err := sb.NewVersion(v.Serial(), nil)
		if err != nil {
			t.Fatalf("a signed zone makes no version: %v", err)
		}
		ix := newIndex(sv, new(zoneCounts))
		if _, ok := dns.IsDomainName(qname); !ok || !dns.IsSubDomain(ix.origin, strings.ToLower(dns.Fqdn(qname))) {
			return
		}
		sz, ok := ix.dnssecOf()
		if !ok {
			t.Fatal("a signed version does not read as signed")
		}
		m := new(dns.Msg)
		ix.answerSigned(m, dns.Fqdn(qname), qtype, sz)
		if _, err := m.Pack(); err != nil && len(m.Answer) < 1000 {
			t.Logf("answer does not pack: %v", err)
		}
	})
}

// BenchmarkServeDNSSigned answers DO queries from the signed test zone:
// an answer with its RRSIG, and an NXDOMAIN with its proofs.
//
//	go test -run '^$' -bench 'ServeDNSSigned' ./dnsserver
func BenchmarkServeDNSSigned(b *testing.B) {
	for _, nsec3 := range []bool{false, true} {
		s, _ := signedTestServer(b, dnssec.Policy{NSEC3: nsec3})
		for _, name := range []string{"www.example.com.", "nope.example.com."} {
			b.Run(fmt.Sprintf("nsec3=%v/%s", nsec3, name), func(b *testing.B) {
				w := &lastWriter{remote: newRecorder(&testing.T{}, false, "127.0.0.1").remote}
				q := doQuery(name, dns.TypeA)
				b.ReportAllocs()
				for range b.N {
					s.ServeDNS(w, q)
				}
			})
		}
	}
}
