package probe

import (
	"context"
	"strings"
	"testing"
	"time"
)

// smtpScript is how a fake SMTP server answers.
type smtpScript struct {
	greeting  []string // default "220 mx.test ESMTP"
	ehlo      []string // default offers STARTTLS
	starttls  string   // reply to STARTTLS; default "220 2.0.0 go ahead"
	extra     string   // sent right after the STARTTLS reply, before TLS
	implicit  bool     // TLS from the first byte
	silent    bool     // accept and say nothing
	reEHLOBad bool     // refuse the EHLO after STARTTLS
}

func (sc smtpScript) speak(c *textConn) {
	if sc.implicit && !c.startTLS() {
		return
	}
	if sc.silent {
		for {
			if _, ok := c.read(); !ok {
				return
			}
		}
	}
	c.send(or(sc.greeting, "220 mx.test ESMTP")...)
	secured := sc.implicit
	for {
		line, ok := c.read()
		if !ok {
			return
		}
		verb := strings.ToUpper(strings.Fields(line + " x")[0])
		switch {
		case verb == "EHLO" && secured && sc.reEHLOBad:
			c.send("554 5.7.1 not you")
		case verb == "EHLO":
			c.send(or(sc.ehlo, "250-mx.test", "250-PIPELINING", "250 STARTTLS")...)
		case verb == "STARTTLS":
			reply := sc.starttls
			if reply == "" {
				reply = "220 2.0.0 go ahead"
			}
			if sc.extra != "" {
				c.rw.WriteString(reply + "\r\n" + sc.extra)
				c.rw.Flush()
			} else {
				c.send(reply)
			}
			if !strings.HasPrefix(reply, "2") || !c.startTLS() {
				return
			}
			secured = true
		case verb == "QUIT":
			c.send("221 2.0.0 bye")
			return
		default:
			c.send("502 5.5.2 what")
		}
	}
}

func or(lines []string, def ...string) []string {
	if len(lines) > 0 {
		return lines
	}
	return def
}

func TestSMTP(t *testing.T) {
	pki := newTestPKI(t, "mx.example.com")
	tests := []struct {
		name       string
		script     smtpScript
		probe      SMTP
		wantOK     bool
		wantReason string
		wantLines  []string
	}{
		{name: "greeting and EHLO", probe: SMTP{},
			wantOK: true, wantReason: "SMTP 250 after EHLO", wantLines: []string{"EHLO [127.0.0.1]", "QUIT"}},
		{name: "EHLO name given", probe: SMTP{EHLO: "backup.example.net"},
			wantOK: true, wantReason: "SMTP 250 after EHLO", wantLines: []string{"EHLO backup.example.net", "QUIT"}},
		{name: "greeting 421", script: smtpScript{greeting: []string{"421 4.3.2 Service not available"}},
			wantReason: "SMTP greeting 421 4.3.2 Service not available"},
		{name: "multi-line greeting 554", script: smtpScript{greeting: []string{"554-mx.test", "554 no service here"}},
			wantReason: "SMTP greeting 554 mx.test"},
		{name: "EHLO refused", script: smtpScript{ehlo: []string{"550 5.7.1 go away"}},
			wantReason: "SMTP EHLO 550 5.7.1 go away", wantLines: []string{"EHLO [127.0.0.1]", "QUIT"}},
		{name: "not SMTP", script: smtpScript{greeting: []string{"SSH-2.0-OpenSSH_9.2"}},
			wantReason: `reading the SMTP greeting: not an SMTP reply: "SSH-2.0-OpenSSH_9.2"`},
		{name: "codes change within a reply", script: smtpScript{ehlo: []string{"250-mx.test", "550 no"}},
			wantReason: "reading the EHLO reply: reply changes its code from 250 to 550"},
		{name: "STARTTLS", probe: SMTP{StartTLS: true, TLS: TLSOptions{Host: "mx.example.com", RootCAs: pki.pool}},
			wantOK: true, wantReason: "SMTP 250 after EHLO over STARTTLS (TLS 1.3, certificate valid ",
			wantLines: []string{"EHLO [127.0.0.1]", "STARTTLS", "EHLO [127.0.0.1]", "QUIT"}},
		{name: "STARTTLS not offered", script: smtpScript{ehlo: []string{"250-mx.test", "250 8BITMIME"}},
			probe: SMTP{StartTLS: true, TLS: TLSOptions{Host: "mx.example.com", RootCAs: pki.pool}}, wantReason: "SMTP server does not offer STARTTLS"},
		{name: "STARTTLS refused", script: smtpScript{starttls: "454 4.7.0 TLS not available"},
			probe: SMTP{StartTLS: true, TLS: TLSOptions{Host: "mx.example.com", RootCAs: pki.pool}}, wantReason: "SMTP STARTTLS 454 4.7.0 TLS not available"},
		{name: "STARTTLS wrong name", probe: SMTP{StartTLS: true, TLS: TLSOptions{Host: "mail.example.org", RootCAs: pki.pool}},
			wantReason: "SMTP STARTTLS, TLS handshake: tls: certificate not trusted: x509: certificate is valid for mx.example.com, not mail.example.org"},
		{name: "STARTTLS untrusted", probe: SMTP{StartTLS: true, TLS: TLSOptions{Host: "mx.example.com"}},
			wantReason: "SMTP STARTTLS, TLS handshake: tls: certificate not trusted: x509: certificate signed by unknown authority"},
		{name: "data after the STARTTLS reply", script: smtpScript{extra: "250 injected\r\n"},
			probe: SMTP{StartTLS: true, TLS: TLSOptions{Host: "mx.example.com", RootCAs: pki.pool}}, wantReason: "SMTP STARTTLS: server sent data after its STARTTLS reply"},
		{name: "EHLO over TLS refused", script: smtpScript{reEHLOBad: true},
			probe: SMTP{StartTLS: true, TLS: TLSOptions{Host: "mx.example.com", RootCAs: pki.pool}}, wantReason: "SMTP EHLO 554 5.7.1 not you (after STARTTLS)"},
		{name: "implicit TLS", script: smtpScript{implicit: true},
			probe:  SMTP{ImplicitTLS: true, TLS: TLSOptions{Host: "mx.example.com", RootCAs: pki.pool}},
			wantOK: true, wantReason: "SMTP 250 after EHLO over TLS (TLS 1.3, certificate valid "},
		{name: "certificate expires too soon", probe: SMTP{StartTLS: true, TLS: TLSOptions{Host: "mx.example.com", RootCAs: pki.pool, MinValid: 24 * time.Hour}},
			wantReason: `SMTP STARTTLS, TLS 1.3, certificate "mx.example.com" expires in 5`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := startFake(t, &pki.leaf, tt.script.speak)
			p := tt.probe
			p.Port = srv.port()
			got := p.Probe(testCtx(t), listenerAddr(t, srv.ln).Addr())
			checkResult(t, got, tt.wantOK, tt.wantReason)
			s := srv.last()
			if tt.wantLines != nil && strings.Join(s.lines, "|") != strings.Join(tt.wantLines, "|") {
				t.Errorf("client sent %q, want %q", s.lines, tt.wantLines)
			}
			if p.StartTLS && tt.wantOK && s.sni != "mx.example.com" {
				t.Errorf("SNI %q, want mx.example.com", s.sni)
			}
		})
	}
}

func TestSMTPSilentServerTimesOut(t *testing.T) {
	srv := startFake(t, nil, smtpScript{silent: true}.speak)
	ctx, cancel := context.WithTimeout(t.Context(), probeTimeout)
	defer cancel()
	got := (&SMTP{Port: srv.port()}).Probe(ctx, listenerAddr(t, srv.ln).Addr())
	checkResult(t, got, false, "timeout after ")
	if !strings.HasSuffix(got.Reason, "ms (reading the SMTP greeting)") {
		t.Errorf("reason %q does not name the step", got.Reason)
	}
}

func TestSMTPServerHangsUp(t *testing.T) {
	srv := startFake(t, nil, func(c *textConn) {})
	got := (&SMTP{Port: srv.port()}).Probe(testCtx(t), listenerAddr(t, srv.ln).Addr())
	checkResult(t, got, false, "reading the SMTP greeting: the server closed the connection")
}

func TestSMTPOverlongLine(t *testing.T) {
	srv := startFake(t, nil, func(c *textConn) { c.send("220 " + strings.Repeat("x", 5000)) })
	got := (&SMTP{Port: srv.port()}).Probe(testCtx(t), listenerAddr(t, srv.ln).Addr())
	checkResult(t, got, false, "reading the SMTP greeting: server sent a line longer than 4096 bytes")
}

func TestSMTPValidate(t *testing.T) {
	tests := []struct {
		probe SMTP
		want  string
	}{
		{SMTP{}, "Port: port 0 is not in 1-65535"},
		{SMTP{Port: 25, StartTLS: true, ImplicitTLS: true}, "StartTLS: starttls and implicit TLS exclude each other"},
		{SMTP{Port: 25, EHLO: "bad name\r\nRCPT"}, `EHLO: "bad name\r\nRCPT" is not a domain name or address literal`},
		{SMTP{Port: 25, TLS: TLSOptions{Host: "mx.example.com:25"}}, `Host: "mx.example.com:25" has a port: the TLS server name is a name alone`},
	}
	for _, tt := range tests {
		if err := tt.probe.Validate(); err == nil || err.Error() != tt.want {
			t.Errorf("%+v: got %v, want %s", tt.probe, err, tt.want)
		}
	}
	for _, ok := range []SMTP{{Port: 25}, {Port: 25, EHLO: "[192.0.2.1]"}, {Port: 25, EHLO: "[IPv6:2001:db8::1]"}, {Port: 465, ImplicitTLS: true}} {
		if err := ok.Validate(); err != nil {
			t.Errorf("%+v: %v", ok, err)
		}
	}
}
