package dnsserver

import (
	"crypto/hmac"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"log/slog"

	"github.com/miekg/dns"
)

// Key is a TSIG key (RFC 8945). Its String, GoString and LogValue leave the
// secret out, so printing or logging a Key cannot leak it.
type Key struct {
	// Name is the key name both ends use ("zonerw-transfer.").
	Name string
	// Algorithm is hmac-sha256, hmac-sha512 or, for old peers, hmac-sha1
	// (hmac-sha224 and hmac-sha384 work too).
	Algorithm string
	// Secret is the shared secret in base64.
	Secret string
}

// String names the key and its algorithm, never its secret.
func (k Key) String() string { return fmt.Sprintf("tsig key %s (%s)", k.Name, k.Algorithm) }

// GoString is String, so %#v cannot print the secret either.
func (k Key) GoString() string { return k.String() }

// LogValue logs the key's name and algorithm only.
func (k Key) LogValue() slog.Value {
	return slog.GroupValue(slog.String("name", k.Name), slog.String("algorithm", k.Algorithm))
}

// errBadKey is a TSIG signed with a key the server does not know, or with a
// known key name but another algorithm: RFC 8945 BADKEY.
var errBadKey = errors.New("tsig key unknown or algorithm mismatch")

// hashes maps canonical TSIG algorithm names to their hash.
var hashes = map[string]func() hash.Hash{
	dns.HmacSHA1:   sha1.New,
	dns.HmacSHA224: sha256.New224,
	dns.HmacSHA256: sha256.New,
	dns.HmacSHA384: sha512.New384,
	dns.HmacSHA512: sha512.New,
}

// keyring is the server's dns.TsigProvider: secrets are decoded once, and
// a message must name both a known key and that key's algorithm.
type keyring struct {
	keys map[string]ringKey // by canonical key name
}

type ringKey struct {
	alg    string
	secret []byte
}

var _ dns.TsigProvider = (*keyring)(nil)

func newKeyring(keys []Key) (*keyring, error) {
	r := &keyring{keys: make(map[string]ringKey, len(keys))}
	for i, k := range keys {
		name, alg := dns.CanonicalName(k.Name), dns.CanonicalName(k.Algorithm)
		if k.Name == "" {
			return nil, fmt.Errorf("keys[%d]: no name", i)
		}
		if _, ok := hashes[alg]; !ok {
			return nil, fmt.Errorf("keys[%d] (%s): unsupported algorithm %q", i, name, k.Algorithm)
		}
		secret, err := base64.StdEncoding.DecodeString(k.Secret)
		if err != nil || len(secret) == 0 {
			return nil, fmt.Errorf("keys[%d] (%s): secret is not base64", i, name)
		}
		if _, dup := r.keys[name]; dup {
			return nil, fmt.Errorf("keys[%d]: key %s listed twice", i, name)
		}
		r.keys[name] = ringKey{alg: alg, secret: secret}
	}
	return r, nil
}

func (r *keyring) has(name string) bool {
	_, ok := r.keys[dns.CanonicalName(name)]
	return ok
}

// algorithm is the canonical algorithm of a known key.
func (r *keyring) algorithm(name string) string {
	return r.keys[dns.CanonicalName(name)].alg
}

// Generate computes the MAC of msg with the key t names.
func (r *keyring) Generate(msg []byte, t *dns.TSIG) ([]byte, error) {
	k, ok := r.keys[dns.CanonicalName(t.Hdr.Name)]
	if !ok || k.alg != dns.CanonicalName(t.Algorithm) {
		return nil, errBadKey
	}
	h := hmac.New(hashes[k.alg], k.secret)
	h.Write(msg)
	return h.Sum(nil), nil
}

// Verify checks the MAC in t against msg.
func (r *keyring) Verify(msg []byte, t *dns.TSIG) error {
	want, err := r.Generate(msg, t)
	if err != nil {
		return err
	}
	got, err := hex.DecodeString(t.MAC)
	if err != nil || !hmac.Equal(want, got) {
		return dns.ErrSig
	}
	return nil
}

// tsigError maps a verification error to the RFC 8945 TSIG error code.
func tsigError(err error) uint16 {
	switch {
	case errors.Is(err, errBadKey):
		return dns.RcodeBadKey
	case errors.Is(err, dns.ErrTime):
		return dns.RcodeBadTime
	default:
		return dns.RcodeBadSig
	}
}
