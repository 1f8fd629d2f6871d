package dnsserver

import (
	"strings"
	"testing"

	"github.com/miekg/dns"
)

func TestPublishRejects(t *testing.T) {
	tests := []struct {
		name, origin, text, want string
	}{
		{"unconfigured zone", "example.org.", strings.ReplaceAll(testZone, "example.com.", "example.org."), "not configured"},
		{"serial goes backwards", "example.com.", withSerial(testZone, "2024010100"), "not greater"},
		{"serial unchanged, content changed", "example.com.", strings.Replace(testZone, "192.0.2.10", "192.0.2.99", 1), "did not"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newTestServer(t, Config{})
			err := s.Publish(parseZone(t, tt.origin, tt.text))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Publish error %v, want one containing %q", err, tt.want)
			}
			rec := newRecorder(t, false, "127.0.0.1")
			s.ServeDNS(rec, query("www.example.com.", dns.TypeA))
			if a := rec.only().Answer; len(a) != 1 || a[0].(*dns.A).A.String() != "192.0.2.10" {
				t.Errorf("after a rejected publish the server answers %v, want the old zone", a)
			}
		})
	}
}

func TestRepublish(t *testing.T) {
	s := newTestServer(t, Config{})
	before := s.snap.Load()
	if err := s.Publish(before.zones["example.com."].v); err != nil {
		t.Fatalf("republish: %v", err)
	}
	if s.snap.Load() != before {
		t.Errorf("republishing the served version swapped the snapshot")
	}
	// The same content recompiled, same serial: swapped in, no NOTIFY.
	again := parseZone(t, "example.com.", testZone)
	if err := s.Publish(again); err != nil {
		t.Fatalf("same content, same serial: %v", err)
	}
	if s.Current("example.com.") != again {
		t.Error("the recompiled version was not swapped in")
	}
}

func TestConfiguredZoneIsServfailUntilPublished(t *testing.T) {
	s, err := New(Config{Zones: []ZoneConfig{{Name: "example.com."}}}, discardLog())
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name  string
		rcode int
	}{{"www.example.com.", dns.RcodeServerFailure}, {"example.com.", dns.RcodeServerFailure}, {"www.example.org.", dns.RcodeRefused}} {
		rec := newRecorder(t, false, "127.0.0.1")
		s.ServeDNS(rec, query(tt.name, dns.TypeA))
		if rc := rec.only().Rcode; rc != tt.rcode {
			t.Errorf("%s before the first publish: %s, want %s", tt.name, dns.RcodeToString[rc], dns.RcodeToString[tt.rcode])
		}
	}
}

func TestSerialArithmetic(t *testing.T) {
	tests := []struct {
		a, b uint32
		less bool
	}{
		{1, 2, true}, {2, 1, false}, {5, 5, false},
		{0xFFFFFFFF, 0, true}, {0, 0xFFFFFFFF, false},
		{1, 0x7FFFFFFF, true}, {0x7FFFFFFF, 1, false},
	}
	for _, tt := range tests {
		if got := serialLess(tt.a, tt.b); got != tt.less {
			t.Errorf("serialLess(%d, %d) = %v, want %v", tt.a, tt.b, got, tt.less)
		}
	}
}
