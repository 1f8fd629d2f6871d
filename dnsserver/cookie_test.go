package dnsserver

import (
	"encoding/hex"
	"net/netip"
	"testing"
	"time"

	"github.com/miekg/dns"
)

func TestSipHash(t *testing.T) {
	// The example of the SipHash paper (Aumasson and Bernstein, appendix
	// A): key 00..0f, message 00..0e.
	var key [16]byte
	for i := range key {
		key[i] = byte(i)
	}
	msg := make([]byte, 15)
	for i := range msg {
		msg[i] = byte(i)
	}
	if got := siphash24(key, msg); got != 0xa129ca6149be45e5 {
		t.Errorf("siphash24 = %#x, want 0xa129ca6149be45e5", got)
	}
}

// TestServerCookieMatchesNSD: NSD 4.6.1 with cookie-secret
// 000102030405060708090a0b0c0d0e0f answered client cookie
// 0102030405060708 from 127.0.0.1 with this server cookie (RFC 9018 is
// meant to make servers of an anycast set interchangeable).
func TestServerCookieMatchesNSD(t *testing.T) {
	secret, _ := hex.DecodeString("000102030405060708090a0b0c0d0e0f")
	j := newCookieJar(secret)
	client, _ := hex.DecodeString("0102030405060708")
	got := hex.EncodeToString(j.serverCookie(client, netip.MustParseAddr("127.0.0.1"), 0x6b108558))
	if want := "010000006b108558b76afc37f5515194"; got != want {
		t.Errorf("server cookie %s, want %s", got, want)
	}
}

// cookieAnswer asks the test server from ip with the cookie c (hex) and
// returns the cookie of the answer, or "" when it has none.
func cookieAnswer(t *testing.T, s *Server, ip, c string) string {
	t.Helper()
	rec := newRecorder(t, false, ip)
	s.ServeDNS(rec, withCookie(c))
	m := rec.only()
	if m.Rcode != dns.RcodeSuccess || len(m.Answer) != 1 {
		t.Fatalf("rcode %s, %d answers", dns.RcodeToString[m.Rcode], len(m.Answer))
	}
	if ck, ok := queryCookie(m.IsEdns0()); ok {
		return hex.EncodeToString(ck)
	}
	return ""
}

func TestCookieLifecycle(t *testing.T) {
	now := time.Unix(1800000000, 0)
	s := newTestServer(t, Config{Now: func() time.Time { return now }, Limits: Limits{Cookies: true}})
	const client = "0102030405060708"
	first := cookieAnswer(t, s, "192.0.2.1", client)
	if len(first) != 48 || first[:16] != client || first[16:24] != "01000000" {
		t.Fatalf("answer cookie %q, want the client cookie, then version 1, reserved 0, timestamp, hash", first)
	}
	tests := []struct {
		name  string
		after time.Duration
		ip    string
		send  string
		same  bool // the answer echoes the server cookie sent
		valid bool
	}{
		{"echoed within half an hour", 10 * time.Minute, "192.0.2.1", first, true, true},
		{"renewed after half an hour", 40 * time.Minute, "192.0.2.1", first, false, true},
		{"expired after an hour", 61 * time.Minute, "192.0.2.1", first, false, false},
		{"not valid from another address", time.Minute, "192.0.2.2", first, false, false},
		{"not valid with another client cookie", time.Minute, "192.0.2.1", "ff" + first[2:], false, false},
		{"not valid when tampered with", time.Minute, "192.0.2.1", first[:46] + flipped(first[46:]), false, false},
		{"accepted five minutes early", -4 * time.Minute, "192.0.2.1", first, true, true},
		{"refused further ahead", -6 * time.Minute, "192.0.2.1", first, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			at := now.Add(tt.after)
			q, _ := hex.DecodeString(tt.send)
			_, valid := s.cookies.valid(q, netip.MustParseAddr(tt.ip), at)
			if valid != tt.valid {
				t.Errorf("valid = %v, want %v", valid, tt.valid)
			}
			saved := now
			now = at
			defer func() { now = saved }()
			got := cookieAnswer(t, s, tt.ip, tt.send)
			if (got == tt.send) != tt.same || got[:16] != tt.send[:16] || len(got) != 48 {
				t.Errorf("sent %s, got %s; want the same back: %v", tt.send, got, tt.same)
			}
			if fresh, _ := hex.DecodeString(got); !s.cookies.check(fresh, tt.ip, at) {
				t.Errorf("the cookie sent back is not valid itself")
			}
		})
	}
}

// flipped is the hex byte b with every bit flipped: a change whatever b
// is (the server's secret, so its cookies, are random).
func flipped(b string) string {
	v, _ := hex.DecodeString(b)
	return hex.EncodeToString([]byte{v[0] ^ 0xff})
}

// check is valid for a test: whether q is a valid cookie from ip at now.
func (j *cookieJar) check(q []byte, ip string, now time.Time) bool {
	_, ok := j.valid(q, netip.MustParseAddr(ip), now)
	return ok
}

func TestNoCookieWithoutAsking(t *testing.T) {
	s := newTestServer(t, Config{Limits: Limits{Cookies: true}})
	rec := newRecorder(t, false, "192.0.2.1")
	q := query("www.example.com.", dns.TypeA)
	q.SetEdns0(1232, false)
	s.ServeDNS(rec, q)
	if _, ok := queryCookie(rec.only().IsEdns0()); ok {
		t.Errorf("cookie in the answer to a query without one")
	}
	off := newTestServer(t, Config{})
	if got := cookieAnswer(t, off, "192.0.2.1", "0102030405060708"); got != "" {
		t.Errorf("cookies off, yet the answer has cookie %s", got)
	}
}
