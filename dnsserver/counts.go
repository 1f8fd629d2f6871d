package dnsserver

import (
	"sync/atomic"

	"github.com/miekg/dns"
)

// Queries and transfers are counted per configured zone, plus one set of
// counters for names outside every served zone. New creates them once and
// they are never replaced, so a zone keeps counting across republishes.
// Each counter is an atomic.Uint64 at a fixed place in an array indexed by
// query type and rcode: counting an answer is one atomic add, with no
// lock, no map and no allocation.

// countedTypes are the query types counted under their own name; any
// other type, and a message without exactly one question, counts as
// "other".
var countedTypes = [...]uint16{
	dns.TypeA, dns.TypeAAAA, dns.TypeCNAME, dns.TypeMX, dns.TypeNS, dns.TypeSOA,
	dns.TypeTXT, dns.TypeSRV, dns.TypeCAA, dns.TypePTR, dns.TypeDS, dns.TypeDNSKEY,
	dns.TypeHTTPS, dns.TypeSVCB, dns.TypeANY, dns.TypeAXFR, dns.TypeIXFR,
}

// countedRcodes are the rcodes the server sends, by name; any other rcode
// counts as "other". The names are spelled out because the dns package
// names 16 BADSIG, while this server only sends it as BADVERS.
var countedRcodes = [...]struct {
	code int
	name string
}{
	{dns.RcodeSuccess, "NOERROR"}, {dns.RcodeNameError, "NXDOMAIN"}, {dns.RcodeRefused, "REFUSED"},
	{dns.RcodeServerFailure, "SERVFAIL"}, {dns.RcodeFormatError, "FORMERR"},
	{dns.RcodeNotImplemented, "NOTIMP"}, {dns.RcodeNotAuth, "NOTAUTH"}, {dns.RcodeBadVers, "BADVERS"},
}

// Other is the Type or Rcode of a QueryCount for the query types and
// rcodes not counted apart.
const Other = "other"

// QueryTypes returns the values QueryCount.Type takes: the query types
// counted apart, then Other.
func QueryTypes() []string {
	out := make([]string, 0, len(countedTypes)+1)
	for i := range len(countedTypes) + 1 {
		out = append(out, typeName(i))
	}
	return out
}

// Rcodes returns the values QueryCount.Rcode takes: the rcodes counted
// apart, then Other.
func Rcodes() []string {
	out := make([]string, 0, len(countedRcodes)+1)
	for i := range len(countedRcodes) + 1 {
		out = append(out, rcodeName(i))
	}
	return out
}

// transferResult is how a transfer request ended; see TransferCount.
type transferResult int

const (
	transferOK transferResult = iota
	transferUpToDate
	transferRefused
	transferFormErr
	transferAborted
	numTransferResults
)

var transferResultNames = [numTransferResults]string{"ok", "uptodate", "refused", "formerr", "aborted"}

// transferTypes are the types of TransferCount, by index in zoneCounts.
var transferTypes = [...]uint16{dns.TypeAXFR, dns.TypeIXFR}

// zoneCounts are the query and transfer counters of one zone.
type zoneCounts struct {
	// queries counts answers by [type index][rcode index]; the last
	// index of each is "other".
	queries   [len(countedTypes) + 1][len(countedRcodes) + 1]atomic.Uint64
	transfers [len(transferTypes)][numTransferResults]atomic.Uint64
}

// answered counts the answer to r, sent with rcode.
func (c *zoneCounts) answered(r *dns.Msg, rcode int) {
	t := len(countedTypes)
	if len(r.Question) == 1 {
		t = typeIndex(r.Question[0].Qtype)
	}
	c.queries[t][rcodeIndex(rcode)].Add(1)
}

// transferred counts a transfer of type qtype (AXFR or IXFR) ending in res.
func (c *zoneCounts) transferred(qtype uint16, res transferResult) {
	t := 0
	if qtype == dns.TypeIXFR {
		t = 1
	}
	c.transfers[t][res].Add(1)
}

// typeIndex is qtype's place in countedTypes, or len(countedTypes).
func typeIndex(qtype uint16) int {
	for i, t := range countedTypes {
		if t == qtype {
			return i
		}
	}
	return len(countedTypes)
}

// rcodeIndex is rcode's place in countedRcodes, or len(countedRcodes).
func rcodeIndex(rcode int) int {
	for i, r := range countedRcodes {
		if r.code == rcode {
			return i
		}
	}
	return len(countedRcodes)
}

func typeName(i int) string {
	if i < len(countedTypes) {
		return dns.TypeToString[countedTypes[i]]
	}
	return Other
}

func rcodeName(i int) string {
	if i < len(countedRcodes) {
		return countedRcodes[i].name
	}
	return Other
}
