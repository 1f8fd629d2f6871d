package probe

import (
	"errors"
	"net/netip"
	"net/url"
	"strings"
)

// addrMarker is replaced by the probed address in an HTTP URL template.
const addrMarker = "{addr}"

// expandURL fills the template with addr and returns the URL to request.
func expandURL(template string, addr netip.Addr) (string, error) {
	if !addr.IsValid() {
		return "", errors.New("no address to probe")
	}
	return strings.ReplaceAll(template, addrMarker, urlHost(addr)), nil
}

// urlHost writes addr as a URL host: IPv4 as is, IPv6 in brackets with any
// zone escaped ("[fe80::1%25eth0]"). An IPv4-mapped IPv6 address is probed
// as the IPv4 address it maps.
func urlHost(addr netip.Addr) string {
	addr = addr.Unmap()
	if addr.Is4() {
		return addr.String()
	}
	host := addr.WithZone("").String()
	if zone := addr.Zone(); zone != "" {
		host += "%25" + url.PathEscape(zone)
	}
	return "[" + host + "]"
}
