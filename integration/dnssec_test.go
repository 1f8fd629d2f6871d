package integration

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/miekg/dns"
)

// signedAnswer asks server for name A with DO and returns the address
// served, if its RRSIG verifies with the zone's DNSKEY from the same
// server; "" otherwise.
func signedAnswer(server, name string) (string, *dns.DNSKEY) {
	ask := func(qname string, qtype uint16) *dns.Msg {
		m := new(dns.Msg)
		m.SetQuestion(qname, qtype)
		m.SetEdns0(4096, true)
		c := &dns.Client{Timeout: 500 * time.Millisecond}
		r, _, err := c.Exchange(m, server)
		if err != nil || r.Rcode != dns.RcodeSuccess {
			return nil
		}
		return r
	}
	keys := ask("example.com.", dns.TypeDNSKEY)
	r := ask(name, dns.TypeA)
	if keys == nil || r == nil {
		return "", nil
	}
	var key *dns.DNSKEY
	for _, rr := range keys.Answer {
		if k, ok := rr.(*dns.DNSKEY); ok && k.Flags&dns.SEP != 0 {
			key = k
		}
	}
	var set []dns.RR
	var sig *dns.RRSIG
	for _, rr := range r.Answer {
		switch x := rr.(type) {
		case *dns.A:
			set = append(set, x)
		case *dns.RRSIG:
			sig = x
		}
	}
	if key == nil || sig == nil || len(set) != 1 || sig.Verify(key, set) != nil || !sig.ValidityPeriod(time.Now()) {
		return "", key
	}
	return set[0].(*dns.A).A.String(), key
}

// answerRRSIG is the RRSIG of server's answer to name A with DO.
func answerRRSIG(t *testing.T, server, name string) *dns.RRSIG {
	t.Helper()
	m := new(dns.Msg)
	m.SetQuestion(name, dns.TypeA)
	m.SetEdns0(4096, true)
	r, _, err := (&dns.Client{Timeout: 2 * time.Second}).Exchange(m, server)
	if err != nil {
		t.Fatalf("%s A at %s: %v", name, server, err)
	}
	for _, rr := range r.Answer {
		if sig, ok := rr.(*dns.RRSIG); ok {
			return sig
		}
	}
	t.Fatalf("%s A at %s: no RRSIG in %v", name, server, r.Answer)
	return nil
}

// waitSigned polls until server answers name with want, validly signed.
func waitSigned(t *testing.T, server, name, want string) *dns.DNSKEY {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		got, key := signedAnswer(server, name)
		if got == want {
			return key
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s at %s: signed answer %q, want %q", name, server, got, want)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// TestServeSigned: zonerw serve with dnssec on serves the zone signed
// before and after a failover; its key is made once, kept in the state
// directory with mode 0600 across a restart, never logged, and `zonerw
// dnssec ds` prints the DS of the key it serves. `zonerw status` and
// /metrics say when the zone's oldest signatures expire: those of the
// answer served, 14 days on by default.
func TestServeSigned(t *testing.T) {
	main := startWeb(t, "127.0.0.11", 0)
	startWeb(t, "127.0.0.12", main.port())
	dnsPort, httpPort := freePort(t, "127.0.0.1"), freePort(t, "127.0.0.1")
	cfg := daemonYAML{webPort: main.port(), dnsPort: dnsPort, httpPort: httpPort, zone: "    dnssec: {enabled: true, denial: nsec3}\n"}.write(t)
	server := fmt.Sprintf("127.0.0.1:%d", dnsPort)
	d := startServe(t, cfg)
	key := waitSigned(t, server, "www.example.com.", "127.0.0.11")

	expire := statusJSON(t, cfg).Zones["example.com"].SignaturesExpire
	if lo, hi := time.Now().Add(13*24*time.Hour), time.Now().Add(15*24*time.Hour); expire.Before(lo) || expire.After(hi) {
		t.Errorf("zonerw status: signatures expire %s, want about 14 days from now", expire)
	}
	if got := metric(t, httpPort, `zonerw_zone_signatures_expire_timestamp_seconds{zone="example.com"}`); got != float64(expire.Unix()) {
		t.Errorf("metric: signatures expire at %v, want %d as zonerw status says", got, expire.Unix())
	}
	if _, out, _ := runZonerw(t, "status", "-c", cfg); !strings.Contains(out, "signatures expire "+expire.Local().Format("2006-01-02 15:04")) {
		t.Errorf("zonerw status does not say when the signatures expire (%s):\n%s", expire, out)
	}
	if sig := answerRRSIG(t, server, "www.example.com."); time.Unix(int64(sig.Expiration), 0).Before(expire) {
		t.Errorf("the answer's RRSIG expires %s, before the %s status gives as the oldest", dns.TimeToString(sig.Expiration), expire)
	}

	keyFile := filepath.Join(filepath.Dir(cfg), "state", "keys", "example.com.json")
	fi, err := os.Stat(keyFile)
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("key file %s: %v, mode %v; want 0600", keyFile, err, fi.Mode().Perm())
	}
	code, out, errOut := runZonerw(t, "dnssec", "ds", "-c", cfg, "example.com")
	if want := strings.ToUpper(key.ToDS(dns.SHA256).Digest); code != 0 || !strings.Contains(out, want) {
		t.Fatalf("zonerw dnssec ds: exit %d, %q %q; want the DS digest %s", code, out, errOut, want)
	}

	main.stop()
	waitSigned(t, server, "www.example.com.", "127.0.0.12")

	d.stop(t)
	if strings.Contains(d.log(), "PrivateKey") || strings.Contains(d.log(), "Private-key-format") {
		t.Errorf("the log holds key material:\n%s", d.log())
	}
	d = startServe(t, cfg)
	again := waitSigned(t, server, "www.example.com.", "127.0.0.12")
	if again.PublicKey != key.PublicKey {
		t.Errorf("after a restart the zone is signed with another key")
	}
	d.stop(t)
}

// TestCronSigned: cron mode with dnssec on writes the signed zone to the
// output file (ldns-verify-zone and kzonecheck accept it), keeps it and
// its serial while nothing changes, and rewrites it signed after a
// failover; zonerw check makes no keys.
func TestCronSigned(t *testing.T) {
	ldns := needTool(t, "ldns-verify-zone", "ldnsutils")
	kzc := needTool(t, "kzonecheck", "knot-dnssecutils")
	main := startWeb(t, "127.0.0.11", 0)
	startWeb(t, "127.0.0.12", main.port())
	cfg, out := cronSetup(t, main.port())
	text, _ := os.ReadFile(cfg)
	writeFile(t, cfg, strings.Replace(string(text), "output: out/example.com.zone}", "output: out/example.com.zone, dnssec: {enabled: true, keys: ksk+zsk}}", 1))
	keys := filepath.Join(filepath.Dir(cfg), "state", "keys")

	if code, _, errOut := runZonerw(t, "check", "-c", cfg); code != 0 {
		t.Fatalf("check: exit %d: %s", code, errOut)
	}
	if _, err := os.Stat(keys); !os.IsNotExist(err) {
		t.Fatalf("zonerw check made %s (%v)", keys, err)
	}
	verify := func(want string) string {
		t.Helper()
		b, err := os.ReadFile(out)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(b), "\tRRSIG\t") || !strings.Contains(string(b), want) {
			t.Fatalf("the output file is not the signed zone with www %s:\n%s", want, b)
		}
		for _, c := range [][]string{{ldns, out}, {kzc, "--dnssec", "on", "-o", "example.com", out}} {
			if o, err := exec.Command(c[0], c[1:]...).CombinedOutput(); err != nil {
				t.Errorf("%s: %v\n%s", c[0], err, o)
			}
		}
		return string(b)
	}
	mustRun(t, cfg)
	first := verify("127.0.0.11")
	mustRun(t, cfg)
	if again, _ := os.ReadFile(out); string(again) != first {
		t.Error("a run with nothing changed rewrote the signed zone")
	}
	main.stop()
	mustRun(t, cfg)
	mustRun(t, cfg) // fall 2
	verify("127.0.0.12")
}

// TestLostKeysAreNotReplacedUnseen: with the key file of a signed zone
// gone, zonerw does not make new keys (no DS at the parent would name
// them, and validating resolvers would take the zone for bogus): the run
// fails naming the file and the keys the zone is signed with, the zone
// file keeps its signatures, no key file is made; restored, it goes on.
// A new key was made, and the zone signed with it, without a word.
func TestLostKeysAreNotReplacedUnseen(t *testing.T) {
	main := startWeb(t, "127.0.0.11", 0)
	startWeb(t, "127.0.0.12", main.port())
	cfg, out := cronSetup(t, main.port())
	text, _ := os.ReadFile(cfg)
	writeFile(t, cfg, strings.Replace(string(text), "output: out/example.com.zone}", "output: out/example.com.zone, dnssec: {enabled: true}}", 1))
	keyFile := filepath.Join(filepath.Dir(cfg), "state", "keys", "example.com.json")
	mustRun(t, cfg)
	signed := readFile(t, out)
	keys := readFile(t, keyFile)
	os.Remove(keyFile)

	main.stop()
	for range 2 { // fall 2: the second run would publish the failover
		code, stdout, stderr := runZonerw(t, "-q", "-c", cfg)
		if code != 1 || !strings.Contains(stderr, "the key file "+keyFile+" is missing, but the zone as served and stored is signed with key tag") {
			t.Fatalf("a run with the key file gone: exit %d, want 1 naming it\n%s%s", code, stdout, stderr)
		}
	}
	if _, err := os.Stat(keyFile); !os.IsNotExist(err) {
		t.Fatalf("a key file was made in place of the lost one (%v)", err)
	}
	if now := readFile(t, out); now != signed {
		t.Fatal("the zone file was rewritten, signed with keys the parent does not know")
	}
	writeFile(t, keyFile, keys)
	if err := os.Chmod(keyFile, 0o600); err != nil {
		t.Fatal(err)
	}
	mustRun(t, cfg)
	if now := readFile(t, out); !strings.Contains(now, "\t127.0.0.12\n") || now == signed {
		t.Errorf("with the key file restored the zone file does not point www at the backup 127.0.0.12:\n%s", now)
	}
}

// TestSignaturesKeepTheirSerial: a restart or a reload with nothing
// changed serves the signatures the zone went out with under its serial;
// signing the zone again under the same serial gave one serial two
// contents, and the next IXFR failed on Knot, BIND and NSD alike.
func TestSignaturesKeepTheirSerial(t *testing.T) {
	main := startWeb(t, "127.0.0.11", 0)
	dnsPort := freePort(t, "127.0.0.1")
	cfg := daemonYAML{webPort: main.port(), dnsPort: dnsPort, zone: "    dnssec: {enabled: true, denial: nsec3}\n"}.write(t)
	server := fmt.Sprintf("127.0.0.1:%d", dnsPort)
	d := startServe(t, cfg)
	waitSigned(t, server, "www.example.com.", "127.0.0.11")
	serial, sig := soaOf(server, "example.com"), answerRRSIG(t, server, "www.example.com.")
	same := func(when string) {
		t.Helper()
		if s, now := soaOf(server, "example.com"), answerRRSIG(t, server, "www.example.com."); s != serial || now.Signature != sig.Signature {
			t.Errorf("%s: serial %d (was %d), www's signature changed: %v", when, s, serial, now.Signature != sig.Signature)
		}
	}
	if code, out, errOut := runZonerw(t, "reload", "-c", cfg); code != 0 {
		t.Fatalf("zonerw reload: exit %d\n%s%s", code, out, errOut)
	}
	same("after a reload")
	d.stop(t)
	d = startServe(t, cfg)
	waitForLogCount(t, d, "failover loop started", 1, 20*time.Second) // the templates compiled, the first publish done
	same("after a restart")
	d.stop(t)
}
