package seed

import (
	"log/slog"
	"net/netip"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/miekg/dns"
	"github.com/zonerw/zonerw/cmd/zonerw/auditlog"
	"github.com/zonerw/zonerw/cmd/zonerw/statedir"
	"github.com/zonerw/zonerw/failover"
	"github.com/zonerw/zonerw/templates"
	"github.com/zonerw/zonerw/zones"
	"github.com/zonerw/zonerw/zones/publish"
)

// Input is what FromStored reads.
type Input struct {
	Services []failover.Service
	Targets  map[string]map[string]templates.Target // service -> target -> addresses
	// StateDir is the state directory, whose audit log gives the flap
	// governor its switches back.
	StateDir string
	State    *statedir.File
	Compiled []*publish.Compiled
	// Newer are the zones' versions newer than the state file (Newer).
	Newer map[string]*zones.Version
}

// FromStored is the state the engine starts from when the stored zones
// (in.Newer) are ahead of the state file, or the state was rebuilt: each
// service on the target its stored zone points at, and the flap
// governors with the switches the audit log holds (see the package doc).
// It reports false when the state file can be taken as it is.
func FromStored(in Input, now time.Time, log *slog.Logger) (failover.State, bool) {
	st, compiled, newer := in.State, in.Compiled, in.Newer
	seen := map[string][]string{} // service -> targets found
	from := map[string]string{}   // service -> zone they were found in
	behind := st.Rebuilt != "" || len(newer) > 0
	for _, c := range compiled {
		v := newer[c.Zone.Name]
		if v == nil {
			continue
		}
		for svc, target := range targetsIn(in.Targets, c, v) {
			if _, ok := seen[svc]; !ok {
				seen[svc], from[svc] = target, c.Zone.Name
			}
		}
	}
	if !behind {
		return nil, false
	}
	out := failover.NewEngine(in.Services, st.Services).State()
	changed := restoreSwitches(in.Services, in.StateDir, out, now, log)
	if st.Rebuilt != "" && restorePins(in.Services, in.StateDir, out, now, log) {
		changed = true
	}
	for _, svc := range in.Services {
		found, ok := seen[svc.Name]
		ss := out[svc.Name]
		if !ok || ss == nil || ss.Pin != nil {
			continue
		}
		said := strings.Join(serving(svc, ss), ",")
		if !seedService(svc, ss, found) {
			continue
		}
		log.Warn("the stored zone is newer than the state file (or the state file was rebuilt): the service starts on what the zone points at, and the targets before it count as down until they pass their probes",
			"service", svc.Name, "serving", strings.Join(found, ","), "zone", from[svc.Name], "state_said", said)
		ss.ActiveSince, ss.Reason = now, "rebuilt from zone "+from[svc.Name]+", newer than the state file"
		changed = true
	}
	return out, changed
}

// restorePins gives the services of a rebuilt state the operator pins
// the audit log holds that still hold: a pin lost with a damaged state
// file would send the names back to a server under maintenance.
func restorePins(services []failover.Service, stateDir string, st failover.State, now time.Time, log *slog.Logger) bool {
	pins, err := auditlog.Pins(stateDir, now)
	if err != nil {
		log.Error("pins cannot be restored from audit.log; a service pinned before the state file was lost follows its probes", "err", err)
		return false
	}
	restored := false
	for _, svc := range services {
		p, ss := pins[svc.Name], st[svc.Name]
		if p == nil || ss == nil || ss.Pin != nil || !slices.Contains(svc.Targets, p.Target) {
			continue
		}
		ss.Pin, ss.Active, ss.ServeAll = p, p.Target, false
		ss.ActiveSince, ss.Reason = now, "pin restored from audit.log after the state file was rebuilt"
		until := "until unpinned"
		if !p.Until.IsZero() {
			until = "until " + p.Until.Format(time.RFC3339)
		}
		log.Warn("pin restored from audit.log: the state file was rebuilt", "service", svc.Name, "target", p.Target, "until", until, "reason", p.Reason)
		restored = true
	}
	return restored
}

// serving is what ss serves: its active target, or all of them.
func serving(svc failover.Service, ss *failover.ServiceState) []string {
	if ss.ServeAll {
		return svc.Targets
	}
	return []string{ss.Active}
}

// seedService makes ss serve found: one target, with the targets before
// it down; or every target (the all-down policy "all"), all down. It
// reports false when ss serves that already, or found is neither.
func seedService(svc failover.Service, ss *failover.ServiceState, found []string) bool {
	switch {
	case len(found) == len(svc.Targets) && len(found) > 1:
		if ss.ServeAll {
			return false
		}
		ss.ServeAll = true
		for _, ts := range ss.Targets {
			ts.Up, ts.Successes = false, 0
		}
		return true
	case len(found) != 1 || (ss.Active == found[0] && !ss.ServeAll):
		return false
	}
	ss.Active, ss.ServeAll = found[0], false
	for _, t := range svc.Targets {
		ts := ss.Targets[t]
		if ts == nil {
			continue
		}
		if t == found[0] {
			ts.Up = true
			break
		}
		ts.Up, ts.Successes = false, 0
	}
	return true
}

// Newer finds, for each zone, the stored version (or, with none
// stored, the output file) that is newer than the state file's record of
// the zone. The serials are compared first: reading a big output file
// whole takes seconds, and it is read only when the state is behind it.
// It does not need the compiled templates, so a start runs it beside the
// compile.
func Newer(zs []*publish.Zone, st *statedir.File, stored func(zone string) *zones.Version) map[string]*zones.Version {
	out := map[string]*zones.Version{}
	for _, z := range zs {
		v := stored(z.Name)
		switch {
		case v != nil:
			if !stateBehind(st, z.Name, v.Serial()) {
				continue
			}
		case z.Output != "":
			serial, ok, err := zones.ReadSerial(z.Name, z.Output)
			if err != nil || !ok || !stateBehind(st, z.Name, serial) {
				continue
			}
			if v = OutputVersion(z); v == nil {
				continue
			}
		default:
			continue
		}
		out[z.Name] = v
	}
	return out
}

// OutputVersion is the zone's output file as a version; nil when there is
// none, or it does not parse.
func OutputVersion(z *publish.Zone) *zones.Version {
	if z.Output == "" {
		return nil
	}
	text, err := os.ReadFile(z.Output)
	if err != nil {
		return nil
	}
	v, err := zones.ParseVersion(z.Name, z.Output, text, z.Parse)
	if err != nil {
		return nil
	}
	return v
}

// stateBehind reports whether a stored or written serial of zone is newer
// than what the state file remembers of the zone (or the state was
// rebuilt).
func stateBehind(st *statedir.File, zone string, serial uint32) bool {
	z := st.Zones[zone]
	return st.Rebuilt != "" || z.Serial == 0 || zones.SerialLess(z.Serial, serial)
}

// targetsIn finds, for each service whose markers fill records of c, the
// targets whose addresses v's records hold there (one, or all of them
// under the all-down policy "all"). A service whose records match no
// target is left out.
func targetsIn(targets map[string]map[string]templates.Target, c *publish.Compiled, v *zones.Version) map[string][]string {
	candidates := map[string][]string{} // service -> targets matching every slot so far
	for _, s := range c.Base.Slots() {
		svc, v6 := s.Key[:len(s.Key)-2], strings.HasSuffix(s.Key, "/6")
		addrs := addressesAt(v, s.Owner, s.Type)
		var match []string
		for name, t := range targets[svc] {
			want := t.IPv4
			if v6 {
				want = t.IPv6
			}
			if len(want) > 0 && containsAll(addrs, want) {
				match = append(match, name)
			}
		}
		if prev, ok := candidates[svc]; ok {
			match = slices.DeleteFunc(match, func(n string) bool { return !slices.Contains(prev, n) })
		}
		candidates[svc] = match
	}
	out := map[string][]string{}
	for svc, match := range candidates {
		if len(match) > 0 {
			slices.Sort(match)
			out[svc] = match
		}
	}
	return out
}

// addressesAt reads the addresses of v's RRset of type rtype (A or AAAA)
// at owner.
func addressesAt(v *zones.Version, owner string, rtype uint16) []netip.Addr {
	w, err := zones.AppendWireName(nil, owner)
	if err != nil {
		return nil
	}
	n, ok := v.Lookup(w)
	if !ok {
		return nil
	}
	set, ok := n.RRset(rtype)
	if !ok {
		return nil
	}
	var out []netip.Addr
	for _, rr := range set.Records(owner) {
		switch r := rr.(type) {
		case *dns.A:
			out = append(out, netip.AddrFrom4([4]byte(r.A.To4())))
		case *dns.AAAA:
			out = append(out, netip.AddrFrom16([16]byte(r.AAAA.To16())))
		}
	}
	return out
}

func containsAll(have, want []netip.Addr) bool {
	for _, w := range want {
		if !slices.Contains(have, w) {
			return false
		}
	}
	return true
}
