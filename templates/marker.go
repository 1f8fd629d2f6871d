package templates

import (
	"fmt"
	"regexp"
	"strings"
)

// markerShape matches anything shaped like a marker: "@", a letter, any of
// [A-Za-z0-9 :._-], "@". None of ';', '"', '(', ')', '\\', tab or newline is
// in the set, so a marker never straddles a comment, a quoted string or a
// parenthesis. The expression has no state and is safe to share.
var markerShape = regexp.MustCompile(`@[A-Za-z][A-Za-z0-9 :._-]*@`)

// The marker spellings of the original script.
const (
	serialMarker = "@serial number@"
	ipv4Bare     = "@IP@"
	ipv4Prefix   = "@IP:"
	ipv6Prefix   = "@IPV6:"
)

// markerKind says what a marker stands for.
type markerKind int

const (
	markSerial markerKind = iota
	markIPv4
	markIPv6
)

// marker is a recognised marker.
type marker struct {
	text    string // as written, "@IP:web@"
	kind    markerKind
	service string // the service an address marker names (default resolved)
}

// isAddr reports whether the marker stands for addresses.
func (m marker) isAddr() bool { return m.kind != markSerial }

// wantType is the record type the marker belongs on.
func (m marker) wantType() string {
	switch m.kind {
	case markIPv4:
		return "A"
	case markIPv6:
		return "AAAA"
	}
	return "SOA"
}

// family names the address family of an address marker.
func (m marker) family() string {
	if m.kind == markIPv6 {
		return "IPv6"
	}
	return "IPv4"
}

// identify recognises a marker-shaped text and checks that the service it
// names exists and that every target of it has an address of the family
// asked for (else a failover to that target would break the zone).
func identify(text string, services map[string]Service, defaultService string) (marker, error) {
	m := marker{text: text}
	switch {
	case text == serialMarker:
		m.kind = markSerial
		return m, nil
	case text == ipv4Bare:
		if defaultService == "" {
			return m, fmt.Errorf("%s needs a default service and none is configured; name the service, as in @IP:web@", text)
		}
		m.kind, m.service = markIPv4, defaultService
	case strings.HasPrefix(text, ipv4Prefix) && len(text) > len(ipv4Prefix)+1:
		m.kind, m.service = markIPv4, text[len(ipv4Prefix):len(text)-1]
	case strings.HasPrefix(text, ipv6Prefix) && len(text) > len(ipv6Prefix)+1:
		m.kind, m.service = markIPv6, text[len(ipv6Prefix):len(text)-1]
	default:
		return m, fmt.Errorf("unknown marker %q", text)
	}
	svc, ok := services[m.service]
	if !ok {
		return m, fmt.Errorf("%s: unknown service %q", text, m.service)
	}
	for _, t := range svc.Targets {
		addrs := t.IPv4
		if m.kind == markIPv6 {
			addrs = t.IPv6
		}
		if len(addrs) == 0 {
			return m, fmt.Errorf("%s: target %q of service %q has no %s address", text, t.Name, m.service, m.family())
		}
	}
	return m, nil
}
