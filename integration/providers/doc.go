// Package providers holds emulators of the Cloudflare v4 and Gandi LiveDNS
// v5 DNS APIs, as httptest servers on 127.0.0.1, and end-to-end tests that
// drive zones/provider (and through it the real libdns packages) against
// them. The emulators follow /work/shared/reference/provider-apis.md §7:
// in-memory state, a request log, a fault queue (401/403, 404, 429 with
// Retry-After, 5xx with a JSON or HTML body, a response that never comes),
// Bearer auth and the providers' envelopes and error codes. Every change to
// an RRset is kept in a history, so a test can prove a record was never
// empty.
//
// Tests here must not run in parallel: libdns/gandi uses
// http.DefaultClient, which zones/provider hooks process-wide.
package providers
