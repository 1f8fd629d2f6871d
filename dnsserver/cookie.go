package dnsserver

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/binary"
	"encoding/hex"
	"net/netip"
	"time"

	"github.com/miekg/dns"
)

// DNS cookies (RFC 7873) with the interoperable server cookie of RFC
// 9018: version 1, three reserved bytes, a timestamp and SipHash-2-4 of
// the client cookie, those fields and the client's address under the
// server secret. A client that sends back a valid server cookie has
// shown that it receives answers at its address: it is not a spoofed
// source, so rate limiting leaves it alone. The server never insists on
// a cookie (no BADCOOKIE): a client without one is answered as before.
const (
	clientCookieLen = 8
	serverCookieLen = 16
	cookieVersion   = 1
	// A server cookie is accepted for an hour after it was made and up to
	// five minutes before (clock skew between anycast peers), and is
	// replaced by a fresh one after half an hour (RFC 9018 section 4.3).
	cookieMaxAge  = time.Hour
	cookieMaxSkew = 5 * time.Minute
	cookieRefresh = 30 * time.Minute
)

// cookieJar makes and checks server cookies.
type cookieJar struct {
	secret [16]byte
}

// newCookieJar uses secret, or a random secret when it is empty.
func newCookieJar(secret []byte) *cookieJar {
	j := &cookieJar{}
	if len(secret) == 0 {
		rand.Read(j.secret[:])
	}
	copy(j.secret[:], secret)
	return j
}

// queryCookie returns the COOKIE option of opt in wire form, and false
// when opt has none.
func queryCookie(opt *dns.OPT) ([]byte, bool) {
	if opt == nil {
		return nil, false
	}
	for _, o := range opt.Option {
		if c, ok := o.(*dns.EDNS0_COOKIE); ok {
			b, err := hex.DecodeString(c.Cookie)
			return b, err == nil
		}
	}
	return nil, false
}

// hasClientCookie reports whether opt holds a well-formed COOKIE option.
func hasClientCookie(opt *dns.OPT) bool {
	q, ok := queryCookie(opt)
	return ok && len(q) >= clientCookieLen && !cookieMalformed(opt)
}

// cookieMalformed reports a COOKIE option of a length RFC 7873 section
// 5.2.2 answers with FORMERR: not a client cookie (8 bytes) alone or
// followed by a server cookie of 8 to 32 bytes.
func cookieMalformed(opt *dns.OPT) bool {
	if opt == nil {
		return false
	}
	for _, o := range opt.Option {
		if c, ok := o.(*dns.EDNS0_COOKIE); ok {
			n := len(c.Cookie) / 2
			return len(c.Cookie)%2 != 0 || n != clientCookieLen && (n < clientCookieLen+8 || n > clientCookieLen+32)
		}
	}
	return false
}

// answer returns the COOKIE option for the reply to a query that sent
// the cookie q from ip, and whether q held a valid server cookie.
func (j *cookieJar) answer(q []byte, ip netip.Addr, now time.Time) (*dns.EDNS0_COOKIE, bool) {
	client := q[:clientCookieLen]
	ts, valid := j.valid(q, ip, now)
	if !valid || now.Sub(time.Unix(int64(ts), 0)) >= cookieRefresh {
		ts = uint32(now.Unix())
	}
	out := append(client[:clientCookieLen:clientCookieLen], j.serverCookie(client, ip, ts)...)
	return &dns.EDNS0_COOKIE{Code: dns.EDNS0COOKIE, Cookie: hex.EncodeToString(out)}, valid
}

// valid reports whether q is a client cookie followed by a server cookie
// this server made for it and ip, within its lifetime; ts is the server
// cookie's timestamp.
func (j *cookieJar) valid(q []byte, ip netip.Addr, now time.Time) (ts uint32, ok bool) {
	if len(q) != clientCookieLen+serverCookieLen {
		return 0, false
	}
	server := q[clientCookieLen:]
	if server[0] != cookieVersion {
		return 0, false
	}
	ts = binary.BigEndian.Uint32(server[4:8])
	// Serial number arithmetic (RFC 1982), as RFC 9018 asks.
	age := time.Duration(int32(uint32(now.Unix())-ts)) * time.Second
	if age > cookieMaxAge || age < -cookieMaxSkew {
		return 0, false
	}
	want := j.serverCookie(q[:clientCookieLen], ip, ts)
	return ts, subtle.ConstantTimeCompare(want, server) == 1
}

// serverCookie is the RFC 9018 server cookie for client at ip made at ts.
func (j *cookieJar) serverCookie(client []byte, ip netip.Addr, ts uint32) []byte {
	var buf [clientCookieLen + 8 + 16]byte
	in := append(buf[:0], client...)
	in = append(in, cookieVersion, 0, 0, 0)
	in = binary.BigEndian.AppendUint32(in, ts)
	in = append(in, ip.Unmap().AsSlice()...)
	out := make([]byte, 0, serverCookieLen)
	out = append(out, cookieVersion, 0, 0, 0)
	out = binary.BigEndian.AppendUint32(out, ts)
	return binary.LittleEndian.AppendUint64(out, siphash24(j.secret, in))
}
