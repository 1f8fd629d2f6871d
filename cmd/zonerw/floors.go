package main

import (
	"log/slog"
	"strings"

	"github.com/zonerw/zonerw/cmd/zonerw/statedir"
	"github.com/zonerw/zonerw/zones"
	"github.com/zonerw/zonerw/zones/publish"
)

// raiseOutputFloors makes each zone's output file a floor for its next
// serial: an external nameserver loaded that serial, so a lost state
// directory must not publish one below it. Temp files an interrupted
// write of the file left beside it are removed first (not in a read-only
// look). It returns the serial each output file holds.
func raiseOutputFloors(p *publish.Pipeline, a *app, log *slog.Logger, readOnly bool) map[string]uint32 {
	found := map[string]uint32{}
	for _, z := range a.cfg.Zones {
		if z.Output == "" {
			continue
		}
		if !readOnly {
			removed, err := zones.RemoveStaleTempsOf(zones.ResolvedPath(z.Output))
			if err != nil {
				log.Warn("output file", "zone", z.Name, "err", err)
			}
			if len(removed) > 0 {
				log.Warn("removed temp files an interrupted write left behind", "zone", z.Name, "file", z.Output, "temps", strings.Join(removed, " "))
			}
		}
		serial, ok, err := zones.ReadSerial(z.Name, z.Output)
		if err != nil {
			log.Warn("the output file's serial cannot be read, so it is no floor for the next serial; the file is rewritten with the next version", "zone", z.Name, "err", err)
			continue
		}
		if ok {
			p.RaiseFloor(z.Name, serial)
			found[z.Name] = serial
		}
	}
	return found
}

// reportRecovered says, for a state rebuilt without its file, what each
// zone's serial was recovered from.
func reportRecovered(p *publish.Pipeline, a *app, st *statedir.File, outputs map[string]uint32, log *slog.Logger) {
	if st.Rebuilt == "" {
		return
	}
	for _, z := range a.cfg.Zones {
		args := []any{"zone", z.Name}
		if v := p.Current(z.Name); v != nil {
			args = append(args, "stored_serial", v.Serial())
		}
		if s, ok := outputs[z.Name]; ok {
			args = append(args, "output_serial", s)
		}
		if floor, ok := p.Floor(z.Name); ok {
			args = append(args, "serial_floor", floor)
			log.Warn("zone serial recovered without the state file", args...)
			continue
		}
		log.Warn("zone serial recovered without the state file: no stored version or output file either; the next serial follows the serial policy (the secondaries' serials are asked before the first publish)", args...)
	}
}
