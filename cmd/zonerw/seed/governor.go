package seed

import (
	"log/slog"
	"slices"
	"time"

	"github.com/zonerw/zonerw/cmd/zonerw/auditlog"
	"github.com/zonerw/zonerw/failover"
)

// restoreSwitches gives each service with a flap governor, in a state
// rebuilt without its file or older than the stored zones, the automatic
// switches audit.log recorded within its switch window that the state
// does not hold: the governor's memory is not lost with the state file
// (audit.log is written before anything is published). It reports whether
// any service got one.
func restoreSwitches(services []failover.Service, stateDir string, st failover.State, now time.Time, log *slog.Logger) bool {
	var window time.Duration
	for _, svc := range services {
		if svc.MaxSwitches > 0 {
			window = max(window, svc.SwitchWindow)
		}
	}
	if window <= 0 {
		return false
	}
	switches, err := auditlog.Switches(stateDir, now.Add(-window))
	if err != nil {
		log.Warn("the flap governor starts without the switches of its window: audit.log cannot be read", "err", err)
		return false
	}
	found := false
	for _, svc := range services {
		ss := st[svc.Name]
		if ss == nil || svc.MaxSwitches <= 0 {
			continue
		}
		held := map[int64]int{} // switches the state holds, by time
		for _, at := range ss.Switches {
			held[at.UnixNano()]++
		}
		for _, at := range switches[svc.Name] {
			if now.Sub(at) >= svc.SwitchWindow {
				continue
			}
			if held[at.UnixNano()] > 0 { // two switches may share a time
				held[at.UnixNano()]--
				continue
			}
			ss.Switches = append(ss.Switches, at)
			found = true
		}
		slices.SortFunc(ss.Switches, time.Time.Compare)
	}
	return found
}
