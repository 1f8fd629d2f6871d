package templates

import "net/netip"

// Target is one place a service can point at, with the addresses a template
// may publish for it.
type Target struct {
	Name       string
	IPv4, IPv6 []netip.Addr
}

// Service is a named service and the targets it can fail over between.
type Service struct {
	Name    string
	Targets []Target
}

// Addrs are the addresses to publish for a service now: the active target's,
// or several targets' under the "all targets down -> serve all" policy.
type Addrs struct {
	IPv4, IPv6 []netip.Addr
}

// Values is what one render fills the markers with.
type Values struct {
	// Serial replaces @serial number@.
	Serial uint32
	// Active maps a service name to the addresses its markers stand for.
	Active map[string]Addrs
	// TTL optionally maps a service name to the TTL of the records rendered
	// from its markers; 0 or absent keeps the TTL the template line has.
	TTL map[string]uint32
}
