package dnssec

import (
	"crypto"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/miekg/dns"
	"github.com/zonerw/zonerw/zones"
)

// A zone's keys live in one file, DIR/ZONE.json (mode 0600, in a
// directory of mode 0700), so that a rollover step, which changes two
// keys at once, is one atomic write. Each key keeps its DNSKEY in zone
// file form and its private half in the format BIND's and Knot's tools
// read (Private-key-format v1.3), so keys can be carried to or from them.
type keyFile struct {
	Zone string      `json:"zone"`
	Keys []keyRecord `json:"keys"`
	// Rolling is set while a KSK or CSK rollover the operator started is
	// under way.
	Rolling bool `json:"rolling,omitempty"`
}

type keyRecord struct {
	Role    Role      `json:"role"`
	State   State     `json:"state"`
	Tag     uint16    `json:"tag"`
	DNSKEY  string    `json:"dnskey"`
	Private string    `json:"private"`
	Created time.Time `json:"created"`
	Since   time.Time `json:"since"`
	DSSeen  time.Time `json:"ds_seen,omitzero"`
	DSTTL   int64     `json:"ds_ttl_seconds,omitempty"`
}

// KeyFile is the file of zone's keys in dir, for messages.
func KeyFile(dir, zone string) string { return keyPath(dir, zone) }

// keyPath is the file of zone's keys in dir.
func keyPath(dir, zone string) string {
	name := strings.TrimSuffix(strings.ToLower(zone), ".")
	if name == "" {
		name = "root"
	}
	return filepath.Join(dir, strings.ReplaceAll(name, "/", "_")+".json")
}

// readKeys reads the zone's key file; ok is false when there is none.
func readKeys(dir, zone string) (ks *KeySet, ok bool, err error) {
	path := keyPath(dir, zone)
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("zone %s: keys: %w", zone, err)
	}
	var f keyFile
	if err := json.Unmarshal(data, &f); err != nil {
		return nil, false, fmt.Errorf("zone %s: key file %s is damaged: %w", zone, path, err)
	}
	ks = &KeySet{zone: dns.CanonicalName(zone), Rolling: f.Rolling}
	for i, r := range f.Keys {
		k, err := r.key(zone)
		if err != nil {
			return nil, false, fmt.Errorf("zone %s: key file %s, key %d: %w", zone, path, i+1, err)
		}
		ks.Keys = append(ks.Keys, k)
	}
	return ks, true, nil
}

// key turns a stored record into a Key.
func (r keyRecord) key(zone string) (*Key, error) {
	rr, err := dns.NewRR(r.DNSKEY)
	if err != nil {
		return nil, fmt.Errorf("dnskey: %w", err)
	}
	pub, ok := rr.(*dns.DNSKEY)
	if !ok || !strings.EqualFold(pub.Hdr.Name, dns.Fqdn(zone)) {
		return nil, fmt.Errorf("not a DNSKEY of the zone")
	}
	priv, err := pub.NewPrivateKey(r.Private)
	if err != nil {
		// The parser's error may quote the file; say only what failed.
		return nil, fmt.Errorf("%s %d: the private key does not parse", strings.ToUpper(string(r.Role)), pub.KeyTag())
	}
	signer, ok := priv.(crypto.Signer)
	if !ok {
		return nil, fmt.Errorf("%s %d: the private key cannot sign", strings.ToUpper(string(r.Role)), pub.KeyTag())
	}
	switch r.Role {
	case RoleCSK, RoleKSK, RoleZSK:
	default:
		return nil, fmt.Errorf("role %q is not csk, ksk or zsk", r.Role)
	}
	switch r.State {
	case StatePublished, StateReady, StateActive, StateRetired:
	default:
		return nil, fmt.Errorf("state %q is not published, ready, active or retired", r.State)
	}
	k := &Key{Role: r.Role, State: r.State, DNSKEY: pub, signer: signer, Created: r.Created, Since: r.Since, DSSeen: r.DSSeen, dsTTL: time.Duration(r.DSTTL) * time.Second}
	if err := checkPair(k); err != nil {
		return nil, err
	}
	return k, nil
}

// writeKeys stores ks atomically, mode 0600.
func writeKeys(dir string, ks *KeySet) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("zone %s: keys: %w", ks.zone, err)
	}
	f := keyFile{Zone: ks.zone, Rolling: ks.Rolling}
	for _, k := range ks.Keys {
		f.Keys = append(f.Keys, keyRecord{Role: k.Role, State: k.State, Tag: k.Tag(), DNSKEY: k.DNSKEY.String(),
			Private: k.DNSKEY.PrivateKeyString(k.signer), Created: k.Created, Since: k.Since, DSSeen: k.DSSeen, DSTTL: int64(k.dsTTL / time.Second)})
	}
	data, err := json.MarshalIndent(f, "", "  ")
	if err != nil {
		return fmt.Errorf("zone %s: keys: %w", ks.zone, err)
	}
	if err := zones.WriteFile(keyPath(dir, ks.zone), append(data, '\n'), 0o600); err != nil {
		return fmt.Errorf("zone %s: keys: %w", ks.zone, err)
	}
	return nil
}

// checkPair signs a test RRset with k and verifies it with k's DNSKEY, so
// that a private key that does not match its public half is found when
// the file is read, not when a validator rejects the zone.
func checkPair(k *Key) error {
	probe := &dns.TXT{Hdr: dns.RR_Header{Name: k.DNSKEY.Hdr.Name, Rrtype: dns.TypeTXT, Class: dns.ClassINET, Ttl: 0}, Txt: []string{"zonerw key check"}}
	sig := &dns.RRSIG{Algorithm: k.DNSKEY.Algorithm, KeyTag: k.Tag(), SignerName: k.DNSKEY.Hdr.Name, Inception: 1, Expiration: 1<<31 - 1}
	if err := sig.Sign(k.signer, []dns.RR{probe}); err != nil {
		return fmt.Errorf("%s: cannot sign: %w", k, err)
	}
	if err := sig.Verify(k.DNSKEY, []dns.RR{probe}); err != nil {
		return fmt.Errorf("%s: the private key does not match the DNSKEY: %w", k, err)
	}
	return nil
}
