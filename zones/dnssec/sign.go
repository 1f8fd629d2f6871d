package dnssec

import (
	"encoding/binary"
	"fmt"
	"runtime"
	"slices"
	"sync"
	"time"

	"github.com/miekg/dns"
	"github.com/zonerw/zonerw/zones"
)

// Signer signs one zone with its Keeper's keys.
type Signer struct {
	keeper  *Keeper
	now     func() time.Time
	workers int
}

// NewSigner signs with keeper's keys, at the times now gives.
func NewSigner(keeper *Keeper, now func() time.Time) *Signer {
	if now == nil {
		now = time.Now
	}
	// One worker per core: GOMAXPROCS may count more processors than
	// cores (the nameserver's UDP loops add one each).
	return &Signer{keeper: keeper, now: now, workers: min(runtime.GOMAXPROCS(0), runtime.NumCPU())}
}

// Keeper is the signer's key keeper.
func (s *Signer) Keeper() *Keeper { return s.keeper }

// job is one RRset to sign.
type job struct {
	owner []byte
	rrs   []dns.RR
	keys  []*Key
	sigs  [][]byte // the RRSIGs made, RRset.Wire layout
	err   error
}

// window is the validity of the signatures made at one time.
type window struct{ inception, expiration uint32 }

func (p Policy) window(now time.Time) window {
	return window{inception: uint32(now.Add(-inceptionOffset).Unix()), expiration: uint32(now.Add(p.Validity).Unix())}
}

// SignBase signs a compiled zone: every static RRset gets its RRSIGs,
// the apex its DNSKEY, CDS, CDNSKEY (and NSEC3PARAM) RRsets, and the
// zone its NSEC or NSEC3 chain, all in a new Base that versions are made
// from with Signed.NewVersion. Every signature is verified before the
// result is returned. The cost is the size of the zone, on every core.
func (s *Signer) SignBase(unsigned *zones.Base) (*Signed, error) {
	now := s.now()
	ks, gen := s.keeper.Keys()
	p := s.keeper.policy
	zone := unsigned.Origin()
	owners, err := collectOwners(unsigned, false)
	if err != nil {
		return nil, fmt.Errorf("zone %s: %w", zone, err)
	}
	soa := unsigned.SOA()
	t := timing(owners, unsigned, p)
	dnskeyTTL := uint32(t.DNSKEYTTL / time.Second)
	negTTL := min(soa.Hdr.Ttl, soa.Minttl)
	apexSets := apexRecords(zone, ks, dnskeyTTL, p.NSEC3, negTTL)
	var apexTypes []uint16
	for _, set := range apexSets {
		apexTypes = append(apexTypes, set[0].Header().Rrtype)
	}
	chain, err := makeChain(zone, owners, apexTypes, p.NSEC3, negTTL)
	if err != nil {
		return nil, fmt.Errorf("zone %s: %w", zone, err)
	}
	b, err := zones.NewBuilderFrom(unsigned)
	if err != nil {
		return nil, err
	}
	w := p.window(now)
	batch := &batcher{s: s, b: b, w: w, zone: zone}
	for _, set := range apexSets {
		keys := ks.zoneSigners()
		if t := set[0].Header().Rrtype; t != dns.TypeNSEC3PARAM {
			keys = ks.keySigners()
		}
		if err := batch.addRecords(owners[0].name, set); err != nil {
			return nil, err
		}
		batch.sign(owners[0].name, set, keys)
	}
	if err := batch.staticSets(owners, ks.zoneSigners()); err != nil {
		return nil, err
	}
	for _, c := range chain {
		if err := batch.addRecords(c.owner, []dns.RR{c.rr}); err != nil {
			return nil, err
		}
		batch.sign(c.owner, []dns.RR{c.rr}, ks.zoneSigners())
	}
	if err := batch.flush(); err != nil {
		return nil, fmt.Errorf("zone %s: %w", zone, err)
	}
	base, err := b.Finish()
	if err != nil {
		return nil, fmt.Errorf("zone %s: the signed zone does not validate: %w", zone, err)
	}
	base.PrepareDenial()
	sb := newSigned(base, ks, gen, p, t, owners, now)
	sb.now = s.now
	s.keeper.setTiming(t)
	if err := sb.verifyBase(now, s.workers); err != nil {
		return nil, err
	}
	return sb, nil
}

// staticSets queues every static RRset the zone signs.
func (bt *batcher) staticSets(owners []ownerInfo, keys []*Key) error {
	for i := range owners {
		o := &owners[i]
		if o.occluded || o.empty {
			continue
		}
		for _, set := range o.sets {
			if !o.signedType(set.Type) || slices.Contains(o.perVersion, set.Type) {
				continue
			}
			bt.sign(o.name, set.Records(o.text), keys)
			if err := bt.maybeFlush(); err != nil {
				return err
			}
		}
	}
	return nil
}

// timing is the TTLs a rollover step waits for.
func timing(owners []ownerInfo, base *zones.Base, p Policy) Timing {
	var maxTTL uint32
	for _, o := range owners {
		for _, s := range o.sets {
			for off := 0; off < len(s.Wire); {
				rec, next := s.Next(off)
				maxTTL = max(maxTTL, binary.BigEndian.Uint32(rec[4:8]))
				off = next
			}
		}
	}
	for _, sl := range base.Slots() {
		maxTTL = max(maxTTL, sl.TTL)
	}
	soa := base.SOA()
	maxTTL = max(maxTTL, soa.Hdr.Ttl)
	dnskey := p.DNSKEYTTL
	if dnskey == 0 {
		dnskey = time.Duration(soa.Hdr.Ttl) * time.Second
	}
	return Timing{DNSKEYTTL: dnskey, MaxTTL: max(time.Duration(maxTTL)*time.Second, dnskey)}
}

// apexRecords are the RRsets the signer adds at the apex: DNSKEY, CDS
// and CDNSKEY (of the key the parent should hold), NSEC3PARAM.
func apexRecords(zone string, ks *KeySet, ttl uint32, nsec3 bool, negTTL uint32) [][]dns.RR {
	out := [][]dns.RR{ks.dnskeys(ttl)}
	if k := ks.ForParent(); k != nil {
		key := *k.DNSKEY
		key.Hdr.Ttl = ttl
		ds := key.ToDS(dns.SHA256)
		out = append(out, []dns.RR{ds.ToCDS()}, []dns.RR{key.ToCDNSKEY()})
	}
	if nsec3 {
		// RFC 9276 parameters: SHA-1, no opt-out, 0 iterations, no salt; TTL 0 as BIND gives it.
		out = append(out, []dns.RR{&dns.NSEC3PARAM{Hdr: dns.RR_Header{Name: zone, Rrtype: dns.TypeNSEC3PARAM, Class: dns.ClassINET, Ttl: 0},
			Hash: dns.SHA1}})
	}
	return out
}

// batcher signs RRsets on every core, a batch at a time, and adds the
// signatures to the Builder in order.
type batcher struct {
	s    *Signer
	b    *zones.Builder
	w    window
	zone string
	jobs []job
	buf  []byte
}

const batchSize = 4096

func (bt *batcher) sign(owner []byte, rrs []dns.RR, keys []*Key) {
	bt.jobs = append(bt.jobs, job{owner: owner, rrs: rrs, keys: keys})
}

func (bt *batcher) maybeFlush() error {
	if len(bt.jobs) < batchSize {
		return nil
	}
	return bt.flush()
}

// flush signs the queued jobs and adds their signatures.
func (bt *batcher) flush() error {
	var wg sync.WaitGroup
	n := bt.s.workers
	for wi := range n {
		wg.Go(func() {
			buf := make([]byte, 1<<16+512)
			for i := wi; i < len(bt.jobs); i += n {
				j := &bt.jobs[i]
				j.sigs, j.err = signSet(bt.zone, j.owner, j.rrs, j.keys, bt.w, buf)
			}
		})
	}
	wg.Wait()
	for _, j := range bt.jobs {
		if j.err != nil {
			return j.err
		}
		for _, sig := range j.sigs {
			if err := bt.b.AddWire(j.owner, sig); err != nil {
				return err
			}
		}
	}
	bt.jobs = bt.jobs[:0]
	return nil
}

// addRecords adds records the signer made (keys, chain) to the Builder.
func (bt *batcher) addRecords(owner []byte, rrs []dns.RR) error {
	if bt.buf == nil {
		bt.buf = make([]byte, 1<<16+512)
	}
	for _, rr := range rrs {
		rec, err := recordWire(rr, len(owner), bt.buf)
		if err != nil {
			return err
		}
		if err := bt.b.AddWire(owner, rec); err != nil {
			return err
		}
	}
	return nil
}

// signSet makes one RRSIG of rrs per key, in the RRset.Wire layout.
func signSet(zone string, owner []byte, rrs []dns.RR, keys []*Key, w window, buf []byte) ([][]byte, error) {
	if len(keys) == 0 {
		return nil, fmt.Errorf("zone %s: no key to sign %s %s", zone, rrs[0].Header().Name, dns.Type(rrs[0].Header().Rrtype))
	}
	out := make([][]byte, 0, len(keys))
	for _, k := range keys {
		sig := &dns.RRSIG{Hdr: dns.RR_Header{Ttl: rrs[0].Header().Ttl}, Algorithm: k.DNSKEY.Algorithm, KeyTag: k.Tag(),
			SignerName: zone, Inception: w.inception, Expiration: w.expiration}
		if err := sig.Sign(k.signer, rrs); err != nil {
			return nil, fmt.Errorf("zone %s: sign %s %s with %s: %w", zone, rrs[0].Header().Name, dns.Type(rrs[0].Header().Rrtype), k, err)
		}
		rec, err := recordWire(sig, len(owner), buf)
		if err != nil {
			return nil, err
		}
		out = append(out, rec)
	}
	return out, nil
}

// recordWire is rr in the RRset.Wire layout (without its owner name,
// whose wire form is ownerLen bytes long), in a new slice.
func recordWire(rr dns.RR, ownerLen int, buf []byte) ([]byte, error) {
	n, err := dns.PackRR(rr, buf, 0, nil, false)
	if err != nil {
		return nil, fmt.Errorf("encode %s %s: %w", rr.Header().Name, dns.Type(rr.Header().Rrtype), err)
	}
	return append([]byte(nil), buf[ownerLen:n]...), nil
}
