// Package signer signs zones for the publish pipeline with zones/dnssec:
// each signed zone gets a Signer (publish.Signer) that opens the zone's
// keys in the state directory on first use, for writing in the daemon and
// cron mode and read-only for check and --dry-run; Upkeep moves key
// rollovers along and signs again what is due. It also turns a zone's
// dnssec config into its policy, and writes the DS to give the parent.
package signer

import (
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/miekg/dns"
	"github.com/zonerw/zonerw/cmd/zonerw/config"
	"github.com/zonerw/zonerw/zones"
	"github.com/zonerw/zonerw/zones/dnssec"
	"github.com/zonerw/zonerw/zones/publish"
)

// KeysDir is where the zones' DNSSEC keys live.
func KeysDir(stateDir string) string { return filepath.Join(stateDir, "keys") }

// Policy is a zone's signing policy from its config (validated).
func Policy(d config.DNSSEC) dnssec.Policy {
	p := dnssec.Policy{SplitKeys: d.Keys == "ksk+zsk", NSEC3: d.Denial == "nsec3", Validity: d.SignatureValidity,
		Refresh: d.Refresh, PropagationDelay: d.PropagationDelay, DNSKEYTTL: d.DNSKEYTTL, Parents: d.Parents}
	if d.Algorithm != "" {
		p.Algorithm, _ = dnssec.AlgorithmByName(d.Algorithm)
	}
	if p.SplitKeys {
		p.ZSKLifetime = dnssec.DefaultZSKLifetime
		if d.ZSKLifetime != nil {
			p.ZSKLifetime = *d.ZSKLifetime
		}
	}
	return p
}

// Signer signs one zone for the pipeline. Its keys are opened on
// first use: for writing (made and stored when the zone has none) in the
// daemon and cron mode, read-only for check and --dry-run.
type Signer struct {
	zone   string
	dir    string
	policy dnssec.Policy
	now    func() time.Time

	mu       sync.Mutex
	readOnly bool
	signer   *dnssec.Signer
	// published are the key tags of the DNSKEYs the stored version of
	// the zone carries: keys the world may hold a DS or a cached DNSKEY
	// of, so new keys must not silently replace them (SetPublished).
	published []uint16
}

var _ publish.Signer = (*Signer)(nil)

// Attach gives a zone with dnssec enabled its signer.
func Attach(pz *publish.Zone, z config.Zone, stateDir string) error {
	if !z.DNSSEC.Enabled {
		return nil
	}
	if !pz.Template.HasSerial() {
		return fmt.Errorf("%s: dnssec needs a @serial number@ marker in the SOA: signatures are refreshed with a new serial; write \"; @serial number@\" after the serial", z.Template)
	}
	pz.Signer = &Signer{zone: dns.CanonicalName(z.Name), dir: KeysDir(stateDir), policy: Policy(z.DNSSEC), now: time.Now}
	return nil
}

// Of are the signers of zs, those made by Attach.
func Of(zs []*publish.Zone) []*Signer {
	var out []*Signer
	for _, z := range zs {
		if s, ok := z.Signer.(*Signer); ok {
			out = append(out, s)
		}
	}
	return out
}

// SetReadOnly makes the signer keep the key files as they are (check,
// --dry-run). It takes effect when the keys are first opened.
func (s *Signer) SetReadOnly(ro bool) {
	s.mu.Lock()
	s.readOnly = ro
	s.mu.Unlock()
}

// SetPublished tells the signer which version of the zone is stored (and
// so served, and held by the secondaries): when that version is signed
// and the zone's key file is gone, the signer refuses to make new keys.
func (s *Signer) SetPublished(v *zones.Version) {
	if v == nil || !v.Signed() {
		return
	}
	var tags []uint16
	if set, ok := v.Apex().RRset(dns.TypeDNSKEY); ok {
		for _, rr := range set.Records(v.Origin()) {
			if k, ok := rr.(*dns.DNSKEY); ok {
				tags = append(tags, k.KeyTag())
			}
		}
	}
	s.mu.Lock()
	s.published = tags
	s.mu.Unlock()
}

func tagList(tags []uint16) string {
	var b strings.Builder
	for i, t := range tags {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprint(&b, t)
	}
	return b.String()
}

// Zone is the signed zone's name, canonical.
func (s *Signer) Zone() string { return s.zone }

// Open returns the zone's dnssec signer, opening its keys on first use.
func (s *Signer) Open() (*dnssec.Signer, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.signer != nil {
		return s.signer, nil
	}
	if len(s.published) > 0 {
		if k, err := dnssec.OpenExisting(s.dir, s.zone, s.policy); err != nil {
			return nil, err
		} else if k == nil {
			// The zone went out signed, and its keys are gone: new keys
			// would sign it with keys no DS at the parent names, and
			// every validating resolver would take the zone for bogus.
			return nil, fmt.Errorf("zone %s: the key file %s is missing, but the zone as served and stored is signed with key tag %s: "+
				"restore the file from a backup; to start over with new keys instead, move the zone's files in the state directory's journal/ aside "+
				"and replace the DS at the parent", s.zone, dnssec.KeyFile(s.dir, s.zone), tagList(s.published))
		}
	}
	open := dnssec.OpenKeeper
	if s.readOnly {
		open = dnssec.OpenKeeperReadOnly
	}
	k, err := open(s.dir, s.zone, s.policy, s.now())
	if err != nil {
		return nil, err
	}
	s.signer = dnssec.NewSigner(k, s.now)
	return s.signer, nil
}

// SignBase signs a compiled zone.
func (s *Signer) SignBase(b *zones.Base) (publish.SignedBase, error) {
	sg, err := s.Open()
	if err != nil {
		return nil, err
	}
	sb, err := sg.SignBase(b)
	if err != nil {
		return nil, err
	}
	return sb, nil
}

// Stale reports whether the zone must be signed again.
func (s *Signer) Stale(sb publish.SignedBase, now time.Time) bool {
	signed, ok := sb.(*dnssec.Signed)
	if !ok {
		return false
	}
	sg, err := s.Open()
	if err != nil {
		return false
	}
	return signed.Stale(now, sg.Keeper().Generation())
}

// VersionDue reports whether the served version's signatures are due.
func (s *Signer) VersionDue(sb publish.SignedBase, cur *zones.Version, now time.Time) bool {
	signed, ok := sb.(*dnssec.Signed)
	return ok && signed.VersionDue(cur, now)
}

// DSText is the DS record (and the DNSKEY it is of) to give the parent.
func DSText(ks *dnssec.KeySet) string {
	k := ks.ForParent()
	if k == nil {
		return ""
	}
	var b strings.Builder
	ds := k.DS()
	ds.Hdr.Ttl = 0
	fmt.Fprintf(&b, "%s\n", strings.Replace(ds.String(), "\t0\t", "\t", 1))
	key := *k.DNSKEY
	fmt.Fprintf(&b, "; %s\n; %s\n", k, strings.Replace(key.String(), "\t0\t", "\t", 1))
	return b.String()
}
