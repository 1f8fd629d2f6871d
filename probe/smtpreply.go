package probe

import (
	"fmt"
	"strconv"
	"strings"
)

// smtpReply is one reply of an SMTP server (RFC 5321 section 4.2): a code
// and the text of each line.
type smtpReply struct {
	code int
	text []string
}

// readSMTPReply reads a reply of one or more lines ("250-a", "250 b").
func readSMTPReply(lc *lineConn) (smtpReply, error) {
	var r smtpReply
	for i := 0; i < maxReplyLines; i++ {
		line, err := lc.readLine()
		if err != nil {
			return r, err
		}
		code, last, text, ok := splitSMTPLine(line)
		if !ok {
			return r, fmt.Errorf("not an SMTP reply: %q", printable(line))
		}
		if i > 0 && code != r.code {
			return r, fmt.Errorf("reply changes its code from %d to %d", r.code, code)
		}
		r.code = code
		r.text = append(r.text, text)
		if last {
			return r, nil
		}
	}
	return r, fmt.Errorf("reply has more than %d lines", maxReplyLines)
}

// splitSMTPLine reads "250-text" or "250 text" (or a bare "250").
func splitSMTPLine(line string) (code int, last bool, text string, ok bool) {
	if len(line) < 3 {
		return 0, false, "", false
	}
	code, err := strconv.Atoi(line[:3])
	if err != nil || code < 200 || code > 599 {
		return 0, false, "", false
	}
	if len(line) == 3 {
		return code, true, "", true
	}
	switch line[3] {
	case ' ':
		return code, true, line[4:], true
	case '-':
		return code, false, line[4:], true
	}
	return 0, false, "", false
}

// positive is a 2xx or 3xx reply: the server goes on.
func (r smtpReply) positive() bool { return r.code >= 200 && r.code < 400 }

// offers reports whether an EHLO reply lists the extension (its lines
// after the first are keywords with parameters).
func (r smtpReply) offers(ext string) bool {
	for _, t := range r.text[min(1, len(r.text)):] {
		if f := strings.Fields(t); len(f) > 0 && strings.EqualFold(f[0], ext) {
			return true
		}
	}
	return false
}

// String is the code and the first line's text, for a Reason.
func (r smtpReply) String() string {
	if len(r.text) == 0 || r.text[0] == "" {
		return strconv.Itoa(r.code)
	}
	return strconv.Itoa(r.code) + " " + printable(r.text[0])
}
