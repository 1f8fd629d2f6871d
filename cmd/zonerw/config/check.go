package config

import (
	"errors"

	"github.com/zonerw/zonerw/probe"
)

// httpKeys maps probe.HTTP's field names to this file's YAML keys.
var httpKeys = map[string]string{"URL": "url", "Host": "host", "ExpectStatus": "expect_status", "MaxBody": "url"}

// The values of Check.Addresses.
const (
	AddressesFirst = "first"
	AddressesAll   = "all"
)

// validateCheck checks a service's probe settings. HTTP settings are checked
// by the probe package itself; this adds the key path and line.
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
	switch c.Type {
	case "http":
		if c.Port != 0 {
			add(l.errorf(append(p, "port"), "port is for tcp checks; put the port in the url (http://{addr}:8080/)"))
		}
		h := probe.HTTP{URL: c.URL, Host: c.Host, ExpectStatus: c.ExpectStatus}
		var fe *probe.FieldError
		if err := h.Validate(); errors.As(err, &fe) {
			add(l.errorf(append(p, httpKeys[fe.Field]), "%v", fe.Err))
		}
	case "tcp":
		if c.Port < 1 || c.Port > 65535 {
			add(l.errorf(append(p, "port"), "a tcp check needs a port from 1 to 65535"))
		}
		if c.Host != "" || c.BodyContains != "" || len(c.ExpectStatus) > 0 || c.InsecureSkipVerify {
			add(l.errorf(p, "host, expect_status, body_contains and insecure_skip_verify are for http checks"))
		}
		if c.URL != "" {
			add(l.errorf(append(p, "url"), "url is for http checks"))
		}
	default:
		add(l.errorf(append(p, "type"), "unknown check type %q (use http or tcp)", c.Type))
	}
	return errs
}
