package dnsserver

import (
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/miekg/dns"
)

func journalConfig(dir string) Config {
	return Config{JournalDir: dir, Zones: []ZoneConfig{{Name: "example.com.", AllowTransfer: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}}}}
}

// ixfrCount asks for IXFR from serial and returns the records received.
func ixfrCount(t *testing.T, s *Server, serial uint32) int {
	t.Helper()
	rec := newRecorder(t, true, "127.0.0.1")
	s.ServeDNS(rec, xfrQuery(dns.TypeIXFR, serial))
	return len(transferred(t, rec))
}

func TestJournalSurvivesRestart(t *testing.T) {
	const ixfrFrom1 = 10 // see TestIXFR: two changes of one record each
	tests := []struct {
		name    string
		restart func(t *testing.T, s *Server) // publishes after the restart
		corrupt bool
		want    int
	}{
		{name: "same version republished", restart: func(t *testing.T, s *Server) { versions(t, s, 3) }, want: ixfrFrom1},
		{name: "next version published", restart: func(t *testing.T, s *Server) {
			text := strings.Replace(withSerial(testZone, "4"), "192.0.2.10", "192.0.2.110", 1)
			text = strings.Replace(text, "192.0.2.3\n", "192.0.2.103\n", 1)
			text = strings.Replace(text, "192.0.2.1\n", "192.0.2.101\n", 1)
			if err := s.Publish(parseZone(t, "example.com.", text)); err != nil {
				t.Fatal(err)
			}
		}, want: ixfrFrom1 + 4},
		{name: "corrupt journal falls back to axfr", corrupt: true, restart: func(t *testing.T, s *Server) { versions(t, s, 3) },
			want: len(parseZone(t, "example.com.", testZone).Records) + 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			first, err := New(journalConfig(dir), discardLog())
			if err != nil {
				t.Fatal(err)
			}
			versions(t, first, 1)
			if tt.corrupt {
				if err := os.WriteFile(filepath.Join(dir, "ixfr-example.com.journal"), []byte("www A not-an-address\n"), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			second, err := New(journalConfig(dir), discardLog())
			if err != nil {
				t.Fatal(err)
			}
			tt.restart(t, second)
			if got := ixfrCount(t, second, 1); got != tt.want {
				t.Errorf("ixfr from serial 1 after restart: %d records, want %d", got, tt.want)
			}
		})
	}
}

func TestPublishRejects(t *testing.T) {
	tests := []struct {
		name, origin, text, want string
	}{
		{"unconfigured zone", "example.org.", strings.ReplaceAll(testZone, "example.com.", "example.org."), "not configured"},
		{"serial goes backwards", "example.com.", withSerial(testZone, "2024010100"), "not greater"},
		{"serial unchanged, content changed", "example.com.", strings.Replace(testZone, "192.0.2.10", "192.0.2.99", 1), "did not"},
		{"record outside the zone", "example.com.", testZone + "www.example.net. A 192.0.2.1\n", "outside the zone"},
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

func TestRepublishSameVersionIsNoop(t *testing.T) {
	s := newTestServer(t, Config{})
	before := s.snap.Load()
	if err := s.Publish(parseZone(t, "example.com.", testZone)); err != nil {
		t.Fatalf("republish: %v", err)
	}
	if s.snap.Load() != before {
		t.Errorf("republishing the served version swapped the snapshot")
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

// TestServeStoredAfterRestart: a zone whose template broke while zonerw
// was down is served at its last version, with its journal, until a new
// version can be made.
func TestServeStoredAfterRestart(t *testing.T) {
	dir := t.TempDir()
	first, err := New(journalConfig(dir), discardLog())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := first.ServeStored("example.com"); err == nil || !strings.Contains(err.Error(), "no version stored in "+dir) {
		t.Fatalf("ServeStored with nothing stored: %v", err)
	}
	versions(t, first, 1)

	second, err := New(journalConfig(dir), discardLog())
	if err != nil {
		t.Fatal(err)
	}
	rec := newRecorder(t, false, "127.0.0.1")
	second.ServeDNS(rec, query("www.example.com.", dns.TypeA))
	if rc := rec.only().Rcode; rc != dns.RcodeRefused {
		t.Fatalf("before ServeStored the zone is answered with %s, want REFUSED", dns.RcodeToString[rc])
	}
	serial, err := second.ServeStored("example.com")
	if err != nil || serial != 3 {
		t.Fatalf("ServeStored: serial %d, %v; want 3", serial, err)
	}
	rec = newRecorder(t, false, "127.0.0.1")
	second.ServeDNS(rec, query("www.example.com.", dns.TypeA))
	if got := sectionStrings(rec.only().Answer); len(got) != 1 || !strings.HasSuffix(got[0], "192.0.2.110") {
		t.Fatalf("www after ServeStored: %v, want the stored version's 192.0.2.110", got)
	}
	if got := ixfrCount(t, second, 1); got != 10 {
		t.Errorf("ixfr from serial 1: %d records, want the stored journal's 10", got)
	}
}
