package publish

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"testing"
	"time"

	"github.com/miekg/dns"
	"github.com/zonerw/zonerw/templates"
	"github.com/zonerw/zonerw/zones/dnssec"
	"github.com/zonerw/zonerw/zones/store"
)

// served is a destination that reports each serial it is handed.
type served chan uint32

func (s served) Deliver(_ context.Context, r *Release) error {
	s <- r.Version.Serial()
	return nil
}

// BenchmarkFailover100k is the decision -> served time of a failover in
// a zone of 100,000 records: Publish makes the version (signed: the SOA's
// and the changed RRset's signatures made and verified), stores it (the
// journal entry appended and synced) and hands it to the destination,
// which here stands for the nameserver. A signed zone's next SOA is
// signed ahead after each version (signAhead), and with foreseen the
// failover's records too (Anticipate); each failover here starts once
// that is done, as one a probe round later would. signed/op counts the
// RRsets signed on the publish path.
//
//	go test -run '^$' -bench 'Failover100k' -benchtime 300x -count 3 ./zones/publish
func BenchmarkFailover100k(b *testing.B) {
	for _, mode := range []struct {
		name  string
		p     *dnssec.Policy
		fresh bool // every failover to an address never served before
		// foreseen: the daemon told the pipeline of that address before
		// the failover (Anticipate: each service's other targets).
		foreseen bool
	}{
		{"unsigned", nil, false, false},
		{"signed-nsec", &dnssec.Policy{}, false, false},
		{"signed-nsec3", &dnssec.Policy{NSEC3: true}, false, false},
		{"unsigned-new-address", nil, true, false},
		{"signed-nsec-new-address", &dnssec.Policy{}, true, false},
		{"signed-nsec-new-address-foreseen", &dnssec.Policy{}, true, true},
		{"signed-ed25519", &dnssec.Policy{Algorithm: dns.ED25519}, false, false},
		{"signed-ed25519-new-address", &dnssec.Policy{Algorithm: dns.ED25519}, true, false},
	} {
		b.Run(mode.name, func(b *testing.B) {
			z := newZone(&testing.T{}, bigTemplate(100000))
			if mode.p != nil {
				c := newFakeClock(time.Now())
				k, err := dnssec.OpenKeeper(b.TempDir(), z.Name, *mode.p, c.now())
				if err != nil {
					b.Fatal(err)
				}
				z.Signer = testSigner{dnssec.NewSigner(k, time.Now)}
			}
			st, err := store.Open(b.TempDir(), 0, slog.New(slog.DiscardHandler))
			if err != nil {
				b.Fatal(err)
			}
			p := New(Config{Store: st})
			p.AddZone(z.Name, ZoneState{})
			dest := make(served, 16)
			p.AddDestination(z.Name, "server", dest, 10*time.Second, fastRety)
			p.Start()
			defer p.Stop(time.Second)
			c, err := Compile(z)
			if err != nil {
				b.Fatal(err)
			}
			if _, err := p.Apply([]*Compiled{c}, onMain(), false, true); err != nil {
				b.Fatal(err)
			}
			<-dest
			vals := []Values{onBackup(), onMain()}
			took := make([]time.Duration, 0, b.N)
			var inline uint64 // RRsets signed on the publish path
			b.ResetTimer()
			for i := range b.N {
				v := vals[i%2]
				if mode.fresh {
					v = newAddress(i)
				}
				// What runs between failovers in the daemon (probe rounds
				// are a second apart or more): the SOA signed ahead after
				// the last one, and the foreseen failover's records.
				b.StopTimer()
				if mode.foreseen {
					p.Anticipate([]Values{v})
				}
				p.ahead.Wait()
				b.StartTimer()
				signed, _ := p.Compiled(z.Name).signed.(*dnssec.Signed)
				if signed != nil {
					inline -= signed.SignedInline()
				}
				start := time.Now()
				ch := p.Publish(v)
				if len(ch) != 1 || !ch[0].Changed || ch[0].Err != nil {
					b.Fatalf("publish: %+v", ch)
				}
				for s := range dest {
					if s == ch[0].Serial {
						break
					}
				}
				took = append(took, time.Since(start))
				if signed != nil {
					inline += signed.SignedInline()
				}
			}
			b.StopTimer()
			b.ReportMetric(float64(inline)/float64(b.N), "signed/op")
			slices.Sort(took)
			b.ReportMetric(float64(took[len(took)/2].Microseconds()), "p50-µs")
			b.ReportMetric(float64(took[len(took)*99/100].Microseconds()), "p99-µs")
		})
	}
}

// newAddress is onBackup with web at an address of its own for i.
func newAddress(i int) Values {
	v := onBackup()
	v.Active["web"] = templates.Addrs{IPv4: addrs(fmt.Sprintf("10.%d.%d.%d", i>>16&255, i>>8&255, i&255)), IPv6: v.Active["web"].IPv6}
	return v
}
