package config

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/miekg/dns"
	"github.com/zonerw/zonerw/probe"
)

// The values of Check.Addresses.
const (
	AddressesFirst = "first"
	AddressesAll   = "all"
)

// CheckTypes are the values of Check.Type.
var CheckTypes = []string{"http", "tcp", "smtp", "imap", "tls", "dns", "exec"}

// probeKeys maps the probe package's field names to this file's keys.
var probeKeys = map[string]string{
	"URL": "url", "Host": "host", "ExpectStatus": "expect_status", "MaxBody": "url",
	"Port": "port", "EHLO": "ehlo", "StartTLS": "starttls", "MinValid": "cert_min_valid",
	"Name": "query_name", "Type": "query_type", "Command": "command",
}

// typedKeys are the check keys that belong to some types only, and a test
// of whether a check sets each.
var typedKeys = []struct {
	key   string
	types []string
	set   func(c Check) bool
}{
	{"url", []string{"http"}, func(c Check) bool { return c.URL != "" }},
	{"expect_status", []string{"http"}, func(c Check) bool { return len(c.ExpectStatus) > 0 }},
	{"body_contains", []string{"http"}, func(c Check) bool { return c.BodyContains != "" }},
	{"host", []string{"http", "smtp", "imap", "tls"}, func(c Check) bool { return c.Host != "" }},
	{"insecure_skip_verify", []string{"http", "smtp", "imap", "tls"}, func(c Check) bool { return c.InsecureSkipVerify }},
	{"ca_file", []string{"http", "smtp", "imap", "tls"}, func(c Check) bool { return c.CAFile != "" }},
	{"cert_min_valid", []string{"smtp", "imap", "tls"}, func(c Check) bool { return c.CertMinValid != 0 }},
	{"port", []string{"tcp", "smtp", "imap", "tls", "dns"}, func(c Check) bool { return c.Port != 0 }},
	{"starttls", []string{"smtp", "imap"}, func(c Check) bool { return c.StartTLS }},
	{"implicit_tls", []string{"smtp", "imap"}, func(c Check) bool { return c.ImplicitTLS }},
	{"ehlo", []string{"smtp"}, func(c Check) bool { return c.EHLO != "" }},
	{"query_name", []string{"dns"}, func(c Check) bool { return c.QueryName != "" }},
	{"query_type", []string{"dns"}, func(c Check) bool { return c.QueryType != "" }},
	{"recurse", []string{"dns"}, func(c Check) bool { return c.Recurse }},
	{"command", []string{"exec"}, func(c Check) bool { return len(c.Command) > 0 }},
}

// validateCheck checks a service's probe settings. Each type's settings
// are checked by the probe package itself; this adds the key path and line.
func validateCheck(l *locator, p []any, c Check) []error {
	var errs []error
	add := func(err error) { errs = append(errs, err) }
	if c.Timeout <= 0 {
		add(l.errorf(append(p, "timeout"), "must be positive"))
	}
	switch c.Addresses {
	case "", AddressesFirst, AddressesAll:
	default:
		add(l.errorf(append(p, "addresses"), "unknown value %q (use first or all)", c.Addresses))
	}
	if !slices.Contains(CheckTypes, c.Type) {
		add(l.errorf(append(p, "type"), "unknown check type %q (use %s)", c.Type, orList(CheckTypes)))
		return errs
	}
	for _, k := range typedKeys {
		if !k.set(c) || slices.Contains(k.types, c.Type) {
			continue
		}
		msg := "%s is for %s checks"
		if k.key == "port" && c.Type == "http" {
			msg += "; put the port in the url (http://{addr}:8080/)"
		}
		add(l.errorf(append(p, k.key), msg, k.key, orList(k.types)))
	}
	if len(errs) > 0 {
		return errs
	}
	errs = append(errs, validateTLSUse(l, p, c)...)
	if c.Type == "dns" && c.QueryName == "" {
		return append(errs, l.errorf(append(p, "query_name"), "a dns check needs query_name, the name to ask for"))
	}
	if err := fieldError(typedProber(c)); err != nil {
		add(l.errorf(append(p, probeKeys[err.Field]), "%v", err.Err))
	}
	return errs
}

// validateTLSUse checks the TLS keys of smtp and imap, which only mean
// something with starttls or implicit_tls, and the port's range.
func validateTLSUse(l *locator, p []any, c Check) []error {
	var errs []error
	if (c.Type == "smtp" || c.Type == "imap") && !c.StartTLS && !c.ImplicitTLS {
		for _, k := range []struct {
			key string
			set bool
		}{{"host", c.Host != ""}, {"insecure_skip_verify", c.InsecureSkipVerify}, {"ca_file", c.CAFile != ""}, {"cert_min_valid", c.CertMinValid != 0}} {
			if k.set {
				errs = append(errs, l.errorf(append(p, k.key), "%s is for the TLS of the check: set starttls or implicit_tls", k.key))
			}
		}
	}
	if c.CertMinValid < 0 {
		errs = append(errs, l.errorf(append(p, "cert_min_valid"), "must not be negative"))
	}
	if _, ok := defaultPorts[c.Type]; (ok || c.Type == "tcp") && (c.Port < 1 || c.Port > 65535) {
		errs = append(errs, l.errorf(append(p, "port"), "%s %s check needs a port from 1 to 65535", article(c.Type), c.Type))
	}
	return errs
}

// typedProber is the check's settings as the probe package sees them, for
// its Validate; nil when the settings have nothing more to validate there.
func typedProber(c Check) interface{ Validate() error } {
	opts := probe.TLSOptions{Host: c.Host}
	switch c.Type {
	case "http":
		return &probe.HTTP{URL: c.URL, Host: c.Host, ExpectStatus: c.ExpectStatus}
	case "smtp":
		return &probe.SMTP{Port: 25, EHLO: c.EHLO, StartTLS: c.StartTLS, ImplicitTLS: c.ImplicitTLS, TLS: opts}
	case "imap":
		return &probe.IMAP{Port: 143, StartTLS: c.StartTLS, ImplicitTLS: c.ImplicitTLS, TLS: opts}
	case "tls":
		return &probe.TLSHandshake{Port: 443, TLS: opts}
	case "dns":
		qtype, ok := queryType(c.QueryType)
		if !ok {
			return invalid{&probe.FieldError{Field: "Type",
				Err: fmt.Errorf("unknown record type %q (use A, AAAA, MX, TXT, NS, SOA, ...)", c.QueryType)}}
		}
		return &probe.DNS{Port: 53, Name: c.QueryName, Type: qtype}
	case "exec":
		return &probe.Exec{Command: c.Command}
	}
	return nil
}

// queryType reads a dns check's query_type ("A", "aaaa").
func queryType(s string) (uint16, bool) {
	t, ok := dns.StringToType[strings.ToUpper(s)]
	return t, ok
}

// QueryTypeCode is the record type of a validated dns check's query_type.
func (c Check) QueryTypeCode() uint16 {
	t, _ := queryType(c.QueryType)
	return t
}

// invalid is a settings value whose validation already failed.
type invalid struct{ err error }

func (v invalid) Validate() error { return v.err }

// fieldError runs v's Validate and returns its *probe.FieldError, if any.
func fieldError(v interface{ Validate() error }) *probe.FieldError {
	if v == nil {
		return nil
	}
	var fe *probe.FieldError
	if errors.As(v.Validate(), &fe) {
		return fe
	}
	return nil
}

// orList writes "a, b or c".
func orList(words []string) string {
	if len(words) == 1 {
		return words[0]
	}
	return strings.Join(words[:len(words)-1], ", ") + " or " + words[len(words)-1]
}

// article is "a" or "an" before a check type's name.
func article(typ string) string {
	if strings.ContainsRune("aeiou", rune(typ[0])) || typ == "smtp" || typ == "http" {
		return "an"
	}
	return "a"
}
