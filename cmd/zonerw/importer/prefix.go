package importer

import (
	"fmt"
	"math/big"
	"net/netip"
	"slices"
	"strings"
)

// anyAddress is "every address", in both families.
var anyAddress = []netip.Prefix{netip.MustParsePrefix("0.0.0.0/0"), netip.MustParsePrefix("::/0")}

// parseIPSpec reads an address, a prefix (1.2.3.0/24), a masked address
// (1.2.3.4&255.255.255.0) or a range (1.2.3.4-1.2.3.25) into prefixes.
func parseIPSpec(s string) ([]netip.Prefix, error) {
	if lo, hi, ok := strings.Cut(s, "-"); ok {
		a, err1 := netip.ParseAddr(lo)
		b, err2 := netip.ParseAddr(hi)
		if err1 != nil || err2 != nil || a.BitLen() != b.BitLen() || b.Less(a) {
			return nil, fmt.Errorf("%q is not an address range", s)
		}
		return rangePrefixes(a, b), nil
	}
	if addr, mask, ok := strings.Cut(s, "&"); ok {
		a, err1 := netip.ParseAddr(addr)
		m, err2 := netip.ParseAddr(mask)
		bits, contiguous := maskBits(m)
		if err1 != nil || err2 != nil || a.BitLen() != m.BitLen() || !contiguous {
			return nil, fmt.Errorf("%q is not an address with a contiguous mask", s)
		}
		return []netip.Prefix{netip.PrefixFrom(a, bits).Masked()}, nil
	}
	if strings.Contains(s, "/") {
		p, err := netip.ParsePrefix(s)
		if err != nil {
			return nil, fmt.Errorf("%q is not an address prefix", s)
		}
		return []netip.Prefix{p.Masked()}, nil
	}
	a, err := netip.ParseAddr(s)
	if err != nil || a.Zone() != "" {
		return nil, fmt.Errorf("%q is not an address", s)
	}
	return []netip.Prefix{netip.PrefixFrom(a, a.BitLen())}, nil
}

// maskBits returns the prefix length of a netmask and whether its one bits
// are contiguous from the left.
func maskBits(m netip.Addr) (int, bool) {
	n := toInt(m)
	bits := m.BitLen()
	ones := 0
	for i := bits - 1; i >= 0 && n.Bit(i) == 1; i-- {
		ones++
	}
	for i := bits - 1 - ones; i >= 0; i-- {
		if n.Bit(i) == 1 {
			return 0, false
		}
	}
	return ones, true
}

// rangePrefixes covers lo..hi (inclusive) with the fewest prefixes.
func rangePrefixes(lo, hi netip.Addr) []netip.Prefix {
	bitLen := lo.BitLen()
	cur, end := toInt(lo), toInt(hi)
	one := big.NewInt(1)
	var out []netip.Prefix
	for cur.Cmp(end) <= 0 {
		size := 0 // host bits of the block starting at cur
		for size < bitLen && cur.Bit(size) == 0 {
			last := new(big.Int).Add(cur, new(big.Int).Sub(new(big.Int).Lsh(one, uint(size+1)), one))
			if last.Cmp(end) > 0 {
				break
			}
			size++
		}
		out = append(out, netip.PrefixFrom(fromInt(cur, bitLen), bitLen-size))
		cur = new(big.Int).Add(cur, new(big.Int).Lsh(one, uint(size)))
		if cur.BitLen() > bitLen {
			break
		}
	}
	return out
}

// subtract returns a with b taken out, as prefixes.
func subtract(a, b netip.Prefix) []netip.Prefix {
	switch {
	case !a.Overlaps(b):
		return []netip.Prefix{a}
	case b.Bits() <= a.Bits():
		return nil
	}
	var out []netip.Prefix
	n, bitLen := toInt(b.Addr()), b.Addr().BitLen()
	for bits := a.Bits() + 1; bits <= b.Bits(); bits++ {
		sib := new(big.Int).Set(n)
		pos := bitLen - bits
		sib.SetBit(sib, pos, 1-sib.Bit(pos))
		out = append(out, netip.PrefixFrom(fromInt(sib, bitLen), bits).Masked())
	}
	slices.SortFunc(out, func(x, y netip.Prefix) int { return x.Addr().Compare(y.Addr()) })
	return out
}

func toInt(a netip.Addr) *big.Int {
	b := a.AsSlice()
	return new(big.Int).SetBytes(b)
}

func fromInt(n *big.Int, bitLen int) netip.Addr {
	buf := make([]byte, bitLen/8)
	n.FillBytes(buf)
	a, _ := netip.AddrFromSlice(buf)
	return a
}
