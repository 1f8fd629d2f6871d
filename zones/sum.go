package zones

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"math/bits"
)

// sum256 is a 256-bit sum of record hashes, taken modulo 2^256. Because
// addition does not care about order, the digest of a zone can be kept up
// to date record by record: a version adds the hashes of its dynamic
// records to the base's sum of the static ones.
type sum256 [4]uint64

// add adds h (32 bytes, big-endian) to s.
func (s *sum256) add(h [32]byte) {
	var carry uint64
	for i := 3; i >= 0; i-- {
		s[i], carry = bits.Add64(s[i], binary.BigEndian.Uint64(h[8*i:]), carry)
	}
}

// plus returns s + o.
func (s sum256) plus(o sum256) sum256 {
	var carry uint64
	for i := 3; i >= 0; i-- {
		s[i], carry = bits.Add64(s[i], o[i], carry)
	}
	return s
}

// hex is the sum as 64 hex digits.
func (s sum256) hex() string {
	var b [32]byte
	for i := range s {
		binary.BigEndian.PutUint64(b[8*i:], s[i])
	}
	return hex.EncodeToString(b[:])
}

// recordHash hashes one record: its canonical owner name followed by the
// record in the Base layout (type, class, TTL, rdata length, rdata).
func recordHash(owner, rec []byte) [32]byte {
	var buf [512]byte
	if len(owner)+len(rec) > len(buf) {
		h := sha256.New()
		h.Write(owner)
		h.Write(rec)
		var out [32]byte
		h.Sum(out[:0])
		return out
	}
	return sha256.Sum256(append(append(buf[:0], owner...), rec...))
}

// digestPrefix marks digests made by Version.Digest, so that a state file
// written by an older zonerw (whose digest was a hash of the sorted
// records) is recognised and compared the old way once.
const digestPrefix = "v2:"
