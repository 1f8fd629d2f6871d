package dnssec

import (
	"fmt"
	"strings"
	"testing"

	"github.com/miekg/dns"
)

// bigZone is testZone with n more A records, one owner each.
func bigZone(n int) string {
	var b strings.Builder
	b.WriteString(testZone)
	for i := range n {
		fmt.Fprintf(&b, "host%d IN A 10.%d.%d.%d\n", i, i>>16&255, i>>8&255, i&255)
	}
	return b.String()
}

// BenchmarkSign100k signs a zone of 100,000 records from scratch: every
// RRSIG, the denial chain, the keys, then every signature verified, on
// all cores (GOMAXPROCS).
//
//	go test -run '^$' -bench 'Sign100k' -benchtime 3x ./zones/dnssec
func BenchmarkSign100k(b *testing.B) {
	base := compile(b, bigZone(100000), 5)
	for _, tc := range []struct {
		name string
		p    Policy
	}{
		{"ecdsa-nsec", Policy{}},
		{"ecdsa-nsec3", Policy{NSEC3: true}},
		{"ed25519-nsec", Policy{Algorithm: dns.ED25519}},
	} {
		b.Run(tc.name, func(b *testing.B) {
			c := &clock{t: t0}
			s := newTestSigner(b, tc.p, c)
			b.ResetTimer()
			for range b.N {
				sb, err := s.SignBase(base)
				if err != nil {
					b.Fatal(err)
				}
				b.ReportMetric(float64(sb.Base().Bytes())/(1<<20), "MiB")
			}
		})
	}
}

// BenchmarkNewVersion is the signing in one failover to an address not
// served before: the slot's RRset signed and verified, and the SOA too
// unless it was signed ahead (Prepare, outside the timer here as it runs
// between failovers in the daemon).
//
//	go test -run '^$' -bench 'NewVersion' ./zones/dnssec
func BenchmarkNewVersion(b *testing.B) {
	base := compile(b, bigZone(1000), 5)
	for _, tc := range []struct {
		name  string
		p     Policy
		ahead bool
	}{
		{"ecdsa", Policy{}, false},
		{"ecdsa-soa-ahead", Policy{}, true},
		{"ed25519", Policy{Algorithm: dns.ED25519}, false},
		{"ed25519-soa-ahead", Policy{Algorithm: dns.ED25519}, true},
	} {
		b.Run(tc.name, func(b *testing.B) {
			c := &clock{t: t0}
			sb, err := newTestSigner(b, tc.p, c).SignBase(base)
			if err != nil {
				b.Fatal(err)
			}
			b.ResetTimer()
			for i := range b.N {
				serial := uint32(i + 2)
				if tc.ahead {
					b.StopTimer()
					if err := sb.Prepare([]uint32{serial}); err != nil {
						b.Fatal(err)
					}
					b.StartTimer()
				}
				if _, err := sb.NewVersion(serial, fill(fmt.Sprintf("10.9.%d.%d", i>>8&255, i&255))); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
