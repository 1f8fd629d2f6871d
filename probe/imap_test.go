package probe

import (
	"context"
	"strings"
	"testing"
)

// imapScript is how a fake IMAP server answers.
type imapScript struct {
	greeting string // default "* OK [CAPABILITY IMAP4rev2 STARTTLS] ready"
	starttls string // tagged status for STARTTLS; default "OK begin TLS"
	implicit bool
	silent   bool
}

func (sc imapScript) speak(c *textConn) {
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
	greeting := sc.greeting
	if greeting == "" {
		greeting = "* OK [CAPABILITY IMAP4rev2 STARTTLS] ready"
	}
	c.send(greeting)
	for {
		line, ok := c.read()
		if !ok {
			return
		}
		tag, cmd, _ := strings.Cut(line, " ")
		switch strings.ToUpper(cmd) {
		case "STARTTLS":
			status := sc.starttls
			if status == "" {
				status = "OK begin TLS"
			}
			c.send("* NOTE untagged lines come first", tag+" "+status)
			if !strings.HasPrefix(status, "OK") || !c.startTLS() {
				return
			}
		case "CAPABILITY":
			c.send("* CAPABILITY IMAP4rev2 AUTH=PLAIN", tag+" OK done")
		case "LOGOUT":
			c.send("* BYE", tag+" OK bye")
			return
		default:
			c.send(tag + " BAD what")
		}
	}
}

func TestIMAP(t *testing.T) {
	pki := newTestPKI(t, "imap.example.com")
	trusted := TLSOptions{Host: "imap.example.com", RootCAs: pki.pool}
	tests := []struct {
		name       string
		script     imapScript
		probe      IMAP
		wantOK     bool
		wantReason string
		wantLines  []string
	}{
		{name: "greeting", wantOK: true, wantReason: "IMAP OK greeting", wantLines: []string{"z9 LOGOUT"}},
		{name: "PREAUTH greeting", script: imapScript{greeting: "* PREAUTH welcome back"}, wantOK: true, wantReason: "IMAP PREAUTH greeting"},
		{name: "BYE greeting", script: imapScript{greeting: "* BYE too many connections"}, wantReason: "IMAP greeting * BYE too many connections"},
		{name: "not IMAP", script: imapScript{greeting: "220 mx.test ESMTP"}, wantReason: `IMAP greeting not understood: "220 mx.test ESMTP"`},
		{name: "STARTTLS", probe: IMAP{StartTLS: true, TLS: trusted},
			wantOK: true, wantReason: "IMAP OK greeting over STARTTLS (TLS 1.3, certificate valid ",
			wantLines: []string{"z1 STARTTLS", "z2 CAPABILITY", "z9 LOGOUT"}},
		{name: "STARTTLS refused", script: imapScript{starttls: "NO [PRIVACYREQUIRED] not today"},
			probe: IMAP{StartTLS: true, TLS: trusted}, wantReason: "IMAP STARTTLS NO [PRIVACYREQUIRED] not today"},
		{name: "STARTTLS after PREAUTH", script: imapScript{greeting: "* PREAUTH hi"},
			probe: IMAP{StartTLS: true, TLS: trusted}, wantReason: "IMAP greeting is PREAUTH, so STARTTLS is not allowed"},
		{name: "STARTTLS wrong name", probe: IMAP{StartTLS: true, TLS: TLSOptions{Host: "mail.example.org", RootCAs: pki.pool}},
			wantReason: "IMAP STARTTLS, TLS handshake: tls: certificate not trusted: x509: certificate is valid for imap.example.com, not mail.example.org"},
		{name: "implicit TLS", script: imapScript{implicit: true}, probe: IMAP{ImplicitTLS: true, TLS: trusted},
			wantOK: true, wantReason: "IMAP OK greeting over TLS (TLS 1.3, certificate valid "},
		{name: "implicit TLS to a plain server", probe: IMAP{ImplicitTLS: true, TLS: trusted},
			wantReason: "IMAP, TLS handshake: "},
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
			if p.StartTLS && tt.wantOK && s.sni != "imap.example.com" {
				t.Errorf("SNI %q, want imap.example.com", s.sni)
			}
		})
	}
}

func TestIMAPSilentServerTimesOut(t *testing.T) {
	srv := startFake(t, nil, imapScript{silent: true}.speak)
	ctx, cancel := context.WithTimeout(t.Context(), probeTimeout)
	defer cancel()
	got := (&IMAP{Port: srv.port()}).Probe(ctx, listenerAddr(t, srv.ln).Addr())
	checkResult(t, got, false, "timeout after ")
	if !strings.HasSuffix(got.Reason, "ms (reading the IMAP greeting)") {
		t.Errorf("reason %q does not name the step", got.Reason)
	}
}
