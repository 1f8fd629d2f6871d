package dnssec

import (
	"testing"

	"github.com/miekg/dns"
)

func TestSignedZoneVerifies(t *testing.T) {
	for _, tc := range []struct {
		name string
		p    Policy
	}{
		{"csk-nsec-ecdsa", Policy{}},
		{"csk-nsec3-ed25519", Policy{Algorithm: dns.ED25519, NSEC3: true}},
		{"ksk-zsk-nsec3", Policy{SplitKeys: true, NSEC3: true}},
		{"ksk-zsk-nsec", Policy{SplitKeys: true}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := &clock{t: t0}
			s := newTestSigner(t, tc.p, c)
			sb, err := s.SignBase(compile(t, testZone, 5))
			if err != nil {
				t.Fatal(err)
			}
			v, err := sb.NewVersion(10, fill("192.0.2.1"))
			if err != nil {
				t.Fatal(err)
			}
			ldnsVerify(t, v, c.now())
			v2, err := sb.NewVersion(11, fill("192.0.2.2", "192.0.2.3"))
			if err != nil {
				t.Fatal(err)
			}
			ldnsVerify(t, v2, c.now())
		})
	}
}

func TestPrintSigned(t *testing.T) {
	c := &clock{t: t0}
	s := newTestSigner(t, Policy{NSEC3: true}, c)
	sb, err := s.SignBase(compile(t, testZone, 5))
	if err != nil {
		t.Fatal(err)
	}
	v, _ := sb.NewVersion(10, fill("192.0.2.1"))
	t.Log(zoneText(v))
}
