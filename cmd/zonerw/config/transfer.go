package config

import (
	"fmt"
	"net/netip"

	"go.yaml.in/yaml/v3"
)

// UnmarshalYAML reads an allow_transfer entry: a plain string (an
// address or a CIDR prefix), or a mapping with the keys from and key.
func (r *TransferRule) UnmarshalYAML(n *yaml.Node) error {
	switch n.Kind {
	case yaml.ScalarNode:
		r.Short = true
		return n.Decode(&r.From)
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			if k := n.Content[i]; k.Value != "from" && k.Value != "key" {
				return &yaml.TypeError{Errors: []string{fmt.Sprintf("line %d: field %s not found in type config.TransferRule", k.Line, k.Value)}}
			}
		}
		type plain TransferRule // without this method
		var p plain
		if err := n.Decode(&p); err != nil {
			return err
		}
		*r = TransferRule(p)
		return nil
	}
	return &yaml.TypeError{Errors: []string{fmt.Sprintf("line %d: an allow_transfer entry is an address, a CIDR prefix or {from: PREFIX, key: NAME}", n.Line)}}
}

// ParseTransferFrom reads an entry's from: a CIDR prefix, or an address
// meaning just that host. The zero Prefix, for an empty from, means any
// address.
func ParseTransferFrom(s string) (netip.Prefix, error) {
	if s == "" {
		return netip.Prefix{}, nil
	}
	if p, err := netip.ParsePrefix(s); err == nil {
		return p.Masked(), nil
	}
	a, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Prefix{}, fmt.Errorf("%q is neither an address nor a CIDR prefix", s)
	}
	return netip.PrefixFrom(a, a.BitLen()), nil
}

// validateTransfer checks zone i's transfer policy; keys are the names
// defined under keys.
func validateTransfer(l *locator, i int, z Zone, keys map[string]bool) []error {
	var errs []error
	keyed := false
	for j, r := range z.AllowTransfer {
		p := at("zones", i, "allow_transfer", j)
		if r.From == "" && r.Key == "" {
			errs = append(errs, l.errorf(p, "an entry needs from, key or both"))
		}
		if _, err := ParseTransferFrom(r.From); err != nil {
			if !r.Short {
				p = append(p, "from")
			}
			errs = append(errs, l.errorf(p, "%v", err))
		}
		if r.Key != "" {
			keyed = true
			if !keys[r.Key] {
				errs = append(errs, l.errorf(append(p, "key"), "no key named %q under keys", r.Key))
			}
		}
	}
	if keyed && len(z.TransferKeys) > 0 {
		errs = append(errs, l.errorf(at("zones", i, "transfer_keys"),
			"cannot be combined with allow_transfer entries that name a key; give each entry its key instead"))
	}
	for j, k := range z.TransferKeys {
		if !keys[k] {
			errs = append(errs, l.errorf(at("zones", i, "transfer_keys", j), "no key named %q under keys", k))
		}
	}
	return errs
}
