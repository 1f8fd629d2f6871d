// Package provider publishes failover decisions to a zone hosted at a DNS
// provider (Cloudflare or Gandi LiveDNS) through the libdns packages, or
// to any primary nameserver that takes TSIG-signed dynamic updates (RFC
// 2136: BIND, Knot) through libdns/rfc2136.
//
// A Publisher owns one zone and the records in it that carry the active
// address of a failover service. Publish makes each record hold exactly
// the wanted addresses, in a safe order: the new value is added first
// (or, on Cloudflare, a single record is changed in place so it keeps its
// proxied state), old values are removed only afterwards, and the zone is
// read back to verify the end state. A record is never deleted to make
// room for its replacement, so resolvers never see a gap.
//
// The libraries are used only where they are correct:
//
//   - libdns/gandi v1.1.0 SetRecords appends rather than replaces, so this
//     package adds the new value and then deletes each old one.
//   - libdns/cloudflare v0.2.2 SetRecords fails on RRsets with several
//     records, so it is used only to change a single record in place. It
//     neither reports nor sets the proxied flag; the transport reads it
//     from the record lists the library fetches and sends a creation as
//     proxied when the RRset's records are (see cfproxied.go).
//   - libdns/rfc2136 v1.0.1 reads by zone transfer and reports a refused
//     key and a zone the server does not serve alike ("bad
//     authentication"). Reads here are signed queries of the configured
//     names instead, and the answer's rcode and TSIG error say which
//     failure it is; changes are the library's UPDATE messages.
//   - Neither HTTP library retries or reads Retry-After, and both turn an
//     HTML error page into a bare JSON error. Every call goes through a
//     RoundTripper that records the request, the HTTP status, Retry-After
//     and the API's error codes, applies the per-request timeout and sends
//     the request to the configured API URL; the retry loop and Classify
//     use what it recorded.
//
// # Failures
//
// Classify tells the caller what kind of failure an error is: transient
// (retried within Publish, with backoff), a refused credential, a
// credential lacking a permission for the zone, a zone that is missing or
// outside the credential's scope, a request the provider rejected. Only
// transient failures are retried within a call; RetryDelay is the
// schedule a caller should follow between calls. Messages name where the
// token came from (Config.TokenSource) or the key (TSIGKey.Source), never
// the secret.
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
