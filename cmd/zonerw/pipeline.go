package main

import (
	"errors"
	"github.com/zonerw/zonerw/cmd/zonerw/signer"
	"log/slog"
	"strings"
	"time"

	"github.com/zonerw/zonerw/cmd/zonerw/statedir"
	"github.com/zonerw/zonerw/zones/publish"
	"github.com/zonerw/zonerw/zones/store"
)

// Destination names, as status, metrics, logs and alerts show them.
func nameserverDest(zone string) string { return "nameserver:" + zone }
func fileDest(zone string) string       { return "file:" + zone }
func providerDest(name string) string   { return "provider:" + name }

// destinationParts splits a destination name into its kind and what it
// is for (a zone or a provider).
func destinationParts(dest string) (kind, of string) {
	kind, of, _ = strings.Cut(dest, ":")
	return kind, of
}

// Per-attempt deadlines of the destinations.
const (
	nameserverTimeout = 10 * time.Second
	fileWriteTimeout  = 30 * time.Second // besides the reload command's own timeout
)

// newZonePipeline makes the pipeline of cfg's zones over the store in the
// state directory (read-only for check and --dry-run), each zone starting
// from its stored version and the state file's memory of it. Problems
// with the stored files are logged.
func newZonePipeline(a *app, st *statedir.File, log *slog.Logger, obs publish.Observer, readOnly bool) (*publish.Pipeline, error) {
	a.keysReadOnly(readOnly)
	var s *store.Store
	if readOnly {
		s = store.OpenReadOnly(statedir.JournalDir(a.cfg.StateDir), log)
	} else {
		var err error
		if s, err = store.Open(statedir.JournalDir(a.cfg.StateDir), 0, log); err != nil {
			return nil, err
		}
	}
	p := publish.New(publish.Config{Store: s, Log: log, Observer: obs, Now: a.now})
	for _, z := range a.cfg.Zones {
		name := z.Name
		for _, problem := range p.AddZone(name, st.Zones[name]) {
			log.Warn("stored zone files", "zone", name, "problem", problem)
		}
	}
	// A signed zone whose keys are gone must not be signed with new ones
	// unseen: its signer hears which keys the stored version carries.
	for _, z := range a.zones {
		if sg, ok := z.Signer.(*signer.Signer); ok {
			sg.SetPublished(p.Current(z.Name))
		}
	}
	outputs := raiseOutputFloors(p, a, log, readOnly)
	reportRecovered(p, a, st, outputs, log)
	return p, nil
}

// addFileDestinations gives every zone with an output file its writer.
func addFileDestinations(p *publish.Pipeline, a *app, st *statedir.File, retry publish.Retry) map[string]*publish.FileDestination {
	files := map[string]*publish.FileDestination{}
	for _, z := range a.cfg.Zones {
		if z.Output == "" {
			continue
		}
		name := z.Name
		f := publish.NewFileDestination(st.Zones[name].ReloadPending)
		p.AddDestination(name, fileDest(name), f, z.Reload.Timeout+fileWriteTimeout, retry)
		files[name] = f
	}
	return files
}

// compileAll compiles every zone whose template parsed; the rest, and the
// ones that do not compile, are in broken with the error that names the
// file and line.
func compileAll(a *app) ([]*publish.Compiled, map[string]error) {
	var out []*publish.Compiled
	broken := map[string]error{}
	for name, err := range a.broken {
		broken[name] = err
	}
	for _, z := range a.zones {
		c, err := publish.Compile(z)
		if err != nil {
			broken[z.Name] = err
			continue
		}
		out = append(out, c)
	}
	return out, broken
}

// joinBroken is every broken zone's error, zone order.
func joinBroken(a *app, broken map[string]error) error {
	var errs []error
	for _, z := range a.cfg.Zones {
		if err := broken[z.Name]; err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// values is what the services serve with the given active targets.
func (a *app) values(act map[string][]string) publish.Values {
	return publish.Values{Active: a.active(act), TTL: a.ttls(act)}
}

// recordZones copies the pipeline's view of each zone into the state
// file: its serial and digest (a floor, and a way to tell an unchanged
// zone should the store be lost), whether a reload command is owed, and
// why the output file could not be written, if it could not.
func recordZones(p *publish.Pipeline, st *statedir.File, files map[string]*publish.FileDestination, now time.Time) {
	zs, _ := p.Status()
	for _, z := range zs {
		prev := st.Zones[z.Name]
		next := prev
		if z.Serial != 0 {
			next.Serial, next.Digest = z.Serial, z.Digest
		}
		if next.Serial != prev.Serial || next.Digest != prev.Digest {
			next.Written = now
		}
		if f := files[z.Name]; f != nil {
			next.ReloadPending = f.ReloadOwed()
		}
		next.FileError, next.FileErrorAt, next.FileFailures = "", time.Time{}, 0
		for _, d := range z.Destinations {
			if d.Name == fileDest(z.Name) && d.LastError != "" {
				next.FileError, next.FileErrorAt, next.FileFailures = d.LastError, d.LastErrorAt, d.Failures
			}
		}
		st.Zones[z.Name] = next
	}
}
