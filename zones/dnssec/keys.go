package dnssec

import (
	"crypto"
	"fmt"
	"strings"
	"time"

	"github.com/miekg/dns"
)

// Role is what a key signs.
type Role string

const (
	RoleCSK Role = "csk" // everything
	RoleKSK Role = "ksk" // the DNSKEY RRset
	RoleZSK Role = "zsk" // everything else
)

// State is where a key is in its life (RFC 7583's timeline, simplified).
type State string

const (
	// StatePublished: in the DNSKEY RRset, signing nothing yet (a new
	// key waiting for the old DNSKEY RRset to leave caches).
	StatePublished State = "published"
	// StateReady: a new KSK or CSK whose DNSKEY has spread: it signs
	// (the DNSKEY RRset; a CSK everything), its CDS and CDNSKEY are
	// published, and the parent's DS is awaited.
	StateReady State = "ready"
	// StateActive: the key signs.
	StateActive State = "active"
	// StateRetired: on its way out. An old ZSK stays in the DNSKEY RRset,
	// signing nothing, while its signatures may be cached; an old KSK or
	// CSK signs the DNSKEY RRset alone while the parent's old DS may be
	// cached. Then it is removed.
	StateRetired State = "retired"
)

// Key is one key of a zone. Its private half is never printed: String
// and the errors of this package name a key by its tag, role and
// algorithm only.
type Key struct {
	Role   Role
	State  State
	DNSKEY *dns.DNSKEY
	signer crypto.Signer
	// Since is when the key entered its state.
	Since time.Time
	// Created is when it was made.
	Created time.Time
	// DSSeen is when the parent's DS for this key was first seen (a KSK or
	// CSK in StateReady), zero before.
	DSSeen time.Time
	dsTTL  time.Duration // the TTL of the parent's DS as seen
}

// Tag is the key's tag.
func (k *Key) Tag() uint16 { return k.DNSKEY.KeyTag() }

// String names the key without its secret.
func (k *Key) String() string {
	return fmt.Sprintf("%s %d (%s, %s)", strings.ToUpper(string(k.Role)), k.Tag(), dns.AlgorithmToString[k.DNSKEY.Algorithm], k.State)
}

// signsKeys reports whether the key signs the DNSKEY RRset (and CDS,
// CDNSKEY): a KSK or CSK that is active, ready, or retired (the old one
// during a rollover, for validators that still hold its DS).
func (k *Key) signsKeys() bool {
	return k.Role != RoleZSK && k.State != StatePublished
}

// signsZone reports whether the key signs the RRsets other than DNSKEY
// (and CDS, CDNSKEY, which the keys that sign DNSKEY sign).
func (k *Key) signsZone() bool {
	switch k.Role {
	case RoleZSK:
		return k.State == StateActive
	case RoleCSK:
		return k.State == StateReady || k.State == StateActive
	}
	return false
}

// newKey makes a key of role for zone with algorithm alg.
func newKey(zone string, role Role, alg uint8, ttl uint32, now time.Time) (*Key, error) {
	k := &dns.DNSKEY{Hdr: dns.RR_Header{Name: zone, Rrtype: dns.TypeDNSKEY, Class: dns.ClassINET, Ttl: ttl},
		Flags: dns.ZONE, Protocol: 3, Algorithm: alg}
	if role != RoleZSK {
		k.Flags |= dns.SEP
	}
	priv, err := k.Generate(256)
	if err != nil {
		return nil, fmt.Errorf("zone %s: generate a %s: %w", zone, strings.ToUpper(string(role)), err)
	}
	signer, ok := priv.(crypto.Signer)
	if !ok {
		return nil, fmt.Errorf("zone %s: generated %s key cannot sign", zone, dns.AlgorithmToString[alg])
	}
	return &Key{Role: role, State: StateActive, DNSKEY: k, signer: signer, Since: now, Created: now}, nil
}

// DS is the key's DS record (SHA-256) for the parent zone.
func (k *Key) DS() *dns.DS { return k.DNSKEY.ToDS(dns.SHA256) }
