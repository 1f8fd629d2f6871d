package config

import (
	"net/url"
	"strings"
)

// validateCheck checks a service's probe settings. It mirrors what the probe
// package accepts, but names the key path and line for the user.
func validateCheck(l *locator, p []any, c Check) []error {
	var errs []error
	add := func(err error) { errs = append(errs, err) }
	if c.Timeout <= 0 {
		add(l.errorf(append(p, "timeout"), "must be positive"))
	}
	switch c.Type {
	case "http":
		if c.Port != 0 {
			add(l.errorf(append(p, "port"), "port is for tcp checks; put the port in the url (http://{addr}:8080/)"))
		}
		if !strings.Contains(c.URL, "{addr}") {
			add(l.errorf(append(p, "url"), "%q must contain {addr}, where the target's address goes", c.URL))
		} else if u, err := url.Parse(strings.ReplaceAll(c.URL, "{addr}", "127.0.0.1")); err != nil || (u.Scheme != "http" && u.Scheme != "https") {
			add(l.errorf(append(p, "url"), "%q is not an http:// or https:// URL", c.URL))
		}
		for i, code := range c.ExpectStatus {
			if code < 100 || code > 599 {
				add(l.errorf(append(p, "expect_status", i), "%d is not an HTTP status code", code))
			}
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
