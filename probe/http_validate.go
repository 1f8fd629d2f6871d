package probe

import (
	"errors"
	"fmt"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
)

// FieldError is a setting that failed validation. Field is the Go field name
// ("URL", "ExpectStatus", ...) so a caller can map it to its config key.
type FieldError struct {
	Field string
	Err   error
}

// Error reads "Field: what is wrong".
func (e *FieldError) Error() string { return e.Field + ": " + e.Err.Error() }

// Unwrap returns the underlying error.
func (e *FieldError) Unwrap() error { return e.Err }

// Validate checks the settings at config time: the URL template parses with
// an address in it, "{addr}" is its host, the scheme is http or https and the
// port is in range; Host is a plain host[:port]; status codes are 100-599;
// MaxBody is not negative. The error is a *FieldError naming the field.
func (h *HTTP) Validate() error {
	if err := validateTemplate(h.urlTemplate()); err != nil {
		return &FieldError{Field: "URL", Err: err}
	}
	if err := validateHost(h.Host); err != nil {
		return &FieldError{Field: "Host", Err: err}
	}
	for i, code := range h.ExpectStatus {
		if code < 100 || code > 599 {
			return &FieldError{Field: "ExpectStatus",
				Err: fmt.Errorf("item %d: status %d is not in 100-599", i, code)}
		}
	}
	if h.MaxBody < 0 {
		return &FieldError{Field: "MaxBody", Err: fmt.Errorf("%d is negative", h.MaxBody)}
	}
	return nil
}

// validateTemplate expands the template with an IPv4 and an IPv6 address
// and checks each result. Errors never quote the URL: it may hold a password.
func validateTemplate(template string) error {
	if !strings.Contains(template, addrMarker) {
		return fmt.Errorf("template lacks %s", addrMarker)
	}
	for _, sample := range []netip.Addr{netip.MustParseAddr("127.0.0.1"), netip.IPv6Loopback()} {
		expanded, err := expandURL(template, sample)
		if err != nil {
			return err
		}
		if err := validateURL(expanded, sample); err != nil {
			return fmt.Errorf("with %s as %s: %w", sample, addrMarker, err)
		}
	}
	return nil
}

func validateURL(raw string, addr netip.Addr) error {
	u, err := url.Parse(raw)
	if err != nil {
		return fmt.Errorf("does not parse: %w", unwrapURLError(err))
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return fmt.Errorf("scheme %q is not http or https", u.Scheme)
	}
	if u.Hostname() != addr.String() {
		return fmt.Errorf("%s must be the URL's host", addrMarker)
	}
	if port := u.Port(); port != "" {
		if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
			return fmt.Errorf("port %q is not in 1-65535", port)
		}
	}
	return nil
}

// validateHost accepts "", a name, or a name or IP with a port.
func validateHost(host string) error {
	if host == "" {
		return nil
	}
	if strings.ContainsAny(host, "/?#@\\") || strings.IndexFunc(host, isSpaceOrControl) >= 0 {
		return fmt.Errorf("%q is not a host[:port]", host)
	}
	u, err := url.Parse("http://" + host + "/")
	if err != nil || u.Host != host || u.Hostname() == "" {
		return fmt.Errorf("%q is not a host[:port]", host)
	}
	return nil
}

func isSpaceOrControl(r rune) bool { return r <= ' ' || r == 0x7f }

// unwrapURLError drops url.Error's wrapping, which quotes the whole URL.
func unwrapURLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}
