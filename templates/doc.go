// Package templates reads zone templates written with the markers of the
// original zonerw shell script and renders them into zone text.
//
// Markers:
//
//	@serial number@   the zone's serial (only in the SOA record's serial field)
//	@IP@              the default service's IPv4 address(es) (A records)
//	@IP:web@          service web's IPv4 address(es) (A records)
//	@IPV6:web@        service web's IPv6 address(es) (AAAA records)
//
// A marker is "@", a letter, any of [A-Za-z0-9 :._-], then "@", all on one
// line; on a line that holds a record, anything of that shape that is not
// one of the markers above is an error, wherever it stands (a comment or a
// quoted string included). "@ IN NS ns1" is no marker: a space follows the
// "@". A line that holds nothing but a comment is copied as it stands,
// markers and all ("; @serial number@ and @IP@ are filled in by zonerw").
//
// A marker either stands where the value goes ("www IN A @IP@"), or sits in
// the comment of a line and means "replace the value just before the ';'"
// ("www IN A 192.0.2.10 ; @IP@"). A comment @serial number@ anywhere in the
// SOA record (after the serial, at the end of a one-line SOA, on a comment
// line of its own inside the parentheses) means the SOA's serial. The
// comment is kept in the output as written, so a rendered file is still a
// template.
//
// A template holds text: a NUL or any other control character but tab (and
// CR just before LF) is an error naming its line and column.
//
// The package does not parse DNS. It splits lines into fields only as far as
// it needs to (owner, TTL, class, type, rdata, quotes, comments, parentheses)
// and leaves validating the rendered text to the zone parser.
// Rendering is a pure function of (template, addresses, serial).
package templates
