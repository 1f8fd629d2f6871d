package signer

import (
	"testing"
	"time"

	"github.com/zonerw/zonerw/cmd/zonerw/config"
	"github.com/zonerw/zonerw/zones/dnssec"
)

// Policy takes the config's choices, and a split-key zone without a
// zsk_lifetime gets the default one.
func TestPolicy(t *testing.T) {
	p := Policy(config.DNSSEC{Keys: "ksk+zsk", Denial: "nsec3", SignatureValidity: 14 * 24 * time.Hour})
	if !p.SplitKeys || !p.NSEC3 || p.ZSKLifetime != dnssec.DefaultZSKLifetime || p.Validity != 14*24*time.Hour {
		t.Errorf("ksk+zsk, nsec3: %+v", p)
	}
	life := 30 * 24 * time.Hour
	if p := Policy(config.DNSSEC{Keys: "ksk+zsk", ZSKLifetime: &life}); p.ZSKLifetime != life {
		t.Errorf("zsk_lifetime %s: %+v", life, p)
	}
	if p := Policy(config.DNSSEC{}); p.SplitKeys || p.NSEC3 || p.ZSKLifetime != 0 {
		t.Errorf("the defaults: %+v", p)
	}
}
