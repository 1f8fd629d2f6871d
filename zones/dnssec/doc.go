// Package dnssec signs zonerw's zones: it keeps each zone's keys (made
// on first use, stored in the state directory with mode 0600, never
// logged), signs a compiled zone once (an RRSIG for every static RRset,
// the NSEC or NSEC3 chain, DNSKEY, CDS and CDNSKEY at the apex), then
// signs each version's dynamic RRsets alone (the SOA, and the records a
// failover fills), so that a failover costs a few signatures, not a zone.
//
// The denial chain of a compile never changes between its versions: the
// names a failover changes are fixed owners (the template's marker
// records), so no name appears or vanishes, and their types stay.
//
// Every signature made is verified with the public key before the
// version that holds it is handed on; a version that does not verify is
// an error that says which RRset and why, and the last good version
// keeps being served.
//
// Keys roll as RFC 6781 and RFC 7583 describe: a ZSK by pre-publication
// on a schedule (ksk+zsk), a KSK or CSK when the operator starts it, the
// new key's CDS and CDNSKEY published for the parent and the old key
// removed once the parent's DS, as a query shows it, names the new one
// and its TTL has passed.
package dnssec
