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
