package config

import (
	"reflect"
	"slices"
	"strconv"
)

// RestartNeeded names the first setting that differs between old and new
// which a reload cannot apply: what the nameserver itself serves
// (listeners, limits, keys, the zone list and transfer settings) and the
// state directory. "" when a reload can apply new.
func RestartNeeded(old, new *Config) string {
	switch {
	case !slices.Equal(old.Server.Listen, new.Server.Listen):
		return "server.listen"
	case serverLimitsChanged(old.Server, new.Server):
		return "the nameserver's limits under server"
	case !reflect.DeepEqual(old.Keys, new.Keys):
		return "keys"
	case old.StateDir != new.StateDir:
		return "state_dir"
	case len(old.Zones) != len(new.Zones):
		return "the list of zones"
	}
	for i := range old.Zones {
		o, n := old.Zones[i], new.Zones[i]
		var what string
		switch {
		case o.Name != n.Name:
			what = "name"
		case o.Output != n.Output:
			what = "output"
		case !slices.Equal(o.AllowTransfer, n.AllowTransfer) || !slices.Equal(o.TransferKeys, n.TransferKeys):
			what = "allow_transfer"
		case !slices.Equal(o.Secondaries, n.Secondaries):
			what = "secondaries"
		default:
			continue
		}
		return "zones[" + strconv.Itoa(i) + "] (" + o.Name + ") " + what
	}
	return ""
}

// serverLimitsChanged reports whether the nameserver's limits or identity
// differ between old and new (listen and http are compared apart).
func serverLimitsChanged(old, new Server) bool {
	old.Listen, new.Listen, old.HTTP, new.HTTP = nil, nil, "", ""
	return !reflect.DeepEqual(old, new)
}
