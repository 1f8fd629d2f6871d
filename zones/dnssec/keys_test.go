package dnssec

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/miekg/dns"
)

// TestKeysKept: keys are made once, stored 0600 in a 0700 directory, and
// read back the same; a file that does not fit the policy is an error that
// says what to do; Keys never print their secret.
func TestKeysKept(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "keys")
	k1, err := OpenKeeper(dir, "Example.COM", Policy{}, t0)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "example.com.json")
	for p, want := range map[string]os.FileMode{dir: 0o700, path: 0o600} {
		if fi, err := os.Stat(p); err != nil || fi.Mode().Perm() != want {
			t.Errorf("%s: %v, mode %v; want %v", p, err, fi.Mode().Perm(), want)
		}
	}
	k2, err := OpenKeeper(dir, "example.com.", Policy{}, t0.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	ks1, _ := k1.Keys()
	ks2, _ := k2.Keys()
	if len(ks2.Keys) != 1 || ks1.Keys[0].DNSKEY.PublicKey != ks2.Keys[0].DNSKEY.PublicKey || ks2.Keys[0].Role != RoleCSK {
		t.Fatalf("keys read back: %v, made: %v", ks2.Keys, ks1.Keys)
	}
	data, _ := os.ReadFile(path)
	var f keyFile
	if err := json.Unmarshal(data, &f); err != nil || !strings.Contains(f.Keys[0].Private, "PrivateKey:") {
		t.Fatalf("key file: %v %s", err, data)
	}
	if s := ks1.Keys[0].String(); strings.Contains(s, f.Keys[0].Private[len(f.Keys[0].Private)-20:]) || !strings.Contains(s, "CSK") {
		t.Errorf("Key.String = %q", s)
	}
	_, err = OpenKeeper(dir, "example.com.", Policy{SplitKeys: true}, t0)
	if err == nil || !strings.Contains(err.Error(), "does not fit keys: ksk+zsk; move the file aside") {
		t.Errorf("csk file under a ksk+zsk policy: %v", err)
	}
	_, err = OpenKeeper(dir, "example.com.", Policy{Algorithm: dns.ED25519}, t0)
	if err == nil || !strings.Contains(err.Error(), "zonerw does not roll algorithms") {
		t.Errorf("ECDSA file under an ED25519 policy: %v", err)
	}
	// A private key that is not the DNSKEY's is found when read.
	other, _ := newKey("example.com.", RoleCSK, dns.ECDSAP256SHA256, 0, t0)
	f.Keys[0].Private = other.DNSKEY.PrivateKeyString(other.signer)
	data, _ = json.Marshal(f)
	os.WriteFile(path, data, 0o600)
	_, err = OpenKeeper(dir, "example.com.", Policy{}, t0)
	if err == nil || !strings.Contains(err.Error(), "the private key does not match the DNSKEY") {
		t.Errorf("mismatched private key: %v", err)
	}
	if err != nil && strings.Contains(err.Error(), "PrivateKey") {
		t.Errorf("the error shows key material: %v", err)
	}
}

// TestReadOnlyKeeperWritesNothing: check and --dry-run sign with keys made
// for the occasion and store none.
func TestReadOnlyKeeperWritesNothing(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "keys")
	k, err := OpenKeeperReadOnly(dir, "example.com.", Policy{}, t0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := NewSigner(k, (&clock{t: t0}).now).SignBase(compile(t, testZone, 5)); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Errorf("the read-only keeper made %s (%v)", dir, err)
	}
}

// TestVersionThatDoesNotVerify: a version whose signatures do not verify
// is refused with the RRset and the reason; so is one made after the
// zone's signatures expired.
func TestVersionThatDoesNotVerify(t *testing.T) {
	c := &clock{t: t0}
	s := newTestSigner(t, Policy{}, c)
	sb, err := s.SignBase(compile(t, testZone, 5))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := sb.NewVersion(2, fill("192.0.2.1")); err != nil {
		t.Fatal(err)
	}
	// The key that signs now no longer matches the published DNSKEY (as a
	// key file swapped under a running signer would make it).
	other, _ := newKey("example.com.", RoleCSK, dns.ECDSAP256SHA256, 0, t0)
	sb.keys.Keys[0].signer = other.signer
	_, err = sb.NewVersion(3, fill("192.0.2.2"))
	if err == nil || !strings.Contains(err.Error(), "serial 3: not published") || !strings.Contains(err.Error(), "SOA: no valid signature by CSK") {
		t.Fatalf("a version signed by the wrong key: %v", err)
	}
	c.t = t0.Add(15 * 24 * time.Hour)
	_, err = sb.NewVersion(4, fill("192.0.2.2"))
	if err == nil || !strings.Contains(err.Error(), "signatures expired") {
		t.Fatalf("a version after expiry: %v", err)
	}
}
