// Package provider publishes failover decisions to a zone hosted at a DNS
// provider (Cloudflare or Gandi LiveDNS) through the libdns packages.
//
// A Publisher owns one provider zone and the records in it that carry the
// active address of a failover service. Publish makes each record hold
// exactly the wanted addresses, in a safe order: the new value is added
// first (or, on Cloudflare, a single record is changed in place so it keeps
// its proxied state), old values are removed only afterwards, and the zone is
// read back to verify the end state. A record is never deleted to make room
// for its replacement, so resolvers never see a gap.
//
// The libdns packages are used only where they are correct:
//
//   - libdns/gandi v1.1.0 SetRecords appends rather than replaces, so this
//     package adds the new value and then deletes each old one.
//   - libdns/cloudflare v0.2.2 SetRecords fails on RRsets with several
//     records, so it is used only to change a single record in place.
//   - Neither retries or reads Retry-After, and both turn an HTML error page
//     into a bare JSON error. Every call here goes through a RoundTripper
//     that records the HTTP status and Retry-After, applies the per-request
//     timeout and sends the request to the configured API URL; the retry
//     loop uses what it recorded.
//
// # Process-wide effect of Gandi
//
// libdns/gandi always uses http.DefaultClient and the host api.gandi.net.
// The first Publisher of kind gandi therefore installs, once per process, a
// RoundTripper on http.DefaultClient.Transport. It changes only requests
// whose context carries a Publisher's routing, which only this package's
// calls do; every other request made with http.DefaultClient goes on to the
// transport that was there before, unchanged. Code that later replaces
// http.DefaultClient.Transport breaks Gandi publishing.
package provider
