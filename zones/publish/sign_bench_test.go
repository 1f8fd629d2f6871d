package publish

import (
	"context"
	"log/slog"
	"testing"
	"time"

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
// which here stands for the nameserver.
//
//	go test -run '^$' -bench 'Failover100k' -benchtime 200x ./zones/publish
func BenchmarkFailover100k(b *testing.B) {
	for _, mode := range []struct {
		name string
		p    *dnssec.Policy
	}{{"unsigned", nil}, {"signed-nsec", &dnssec.Policy{}}, {"signed-nsec3", &dnssec.Policy{NSEC3: true}}} {
		b.Run(mode.name, func(b *testing.B) {
			z := newZone(&testing.T{}, bigTemplate(100000))
			if mode.p != nil {
				c := &fakeClock{t: time.Now()}
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
			b.ResetTimer()
			for i := range b.N {
				ch := p.Publish(vals[i%2])
				if len(ch) != 1 || !ch[0].Changed || ch[0].Err != nil {
					b.Fatalf("publish: %+v", ch)
				}
				for s := range dest {
					if s == ch[0].Serial {
						break
					}
				}
			}
		})
	}
}
