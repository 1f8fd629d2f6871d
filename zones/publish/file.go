package publish

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sync/atomic"

	"github.com/miekg/dns"

	"github.com/zonerw/zonerw/templates"
	"github.com/zonerw/zonerw/zones"
	"github.com/zonerw/zonerw/zones/crashpoint"
)

// FileDestination keeps a zone's output file (for an external NSD or BIND)
// holding the newest version, rendered from the template as the original
// script wrote it, and runs the zone's reload command after each write.
type FileDestination struct {
	// reloadOwed is set while a written file waits for a reload command
	// that failed; the next delivery runs it again even if the file holds
	// the version already.
	reloadOwed atomic.Bool
	// written is the serial last written to the file by this process.
	written atomic.Uint32
}

// Written is the serial this process last wrote to the file, 0 if none.
func (f *FileDestination) Written() uint32 { return f.written.Load() }

// NewFileDestination starts with a reload owed when the state file says
// the last run's reload command failed.
func NewFileDestination(reloadOwed bool) *FileDestination {
	f := &FileDestination{}
	f.reloadOwed.Store(reloadOwed)
	return f
}

// ReloadOwed reports whether a reload command is still owed.
func (f *FileDestination) ReloadOwed() bool { return f.reloadOwed.Load() }

var _ Destination = (*FileDestination)(nil)

// Deliver writes r's version to the zone's output file, unless the file
// already holds its serial, then runs the reload command if the file was
// written or a reload is owed. A release without a zone (restored from the
// store, not compiled yet) has nothing to render and is skipped.
func (f *FileDestination) Deliver(ctx context.Context, r *Release) error {
	z := r.Zone
	if z == nil || z.Output == "" || z.Template == nil {
		return nil
	}
	serial, found, err := zones.ReadSerial(z.Name, z.Output)
	if err != nil || !found || serial != r.Version.Serial() || !r.Version.Signed() && !FileHolds(z.Output, z, r) {
		if err := writeZoneFile(z, r); err != nil {
			return err
		}
		f.written.Store(r.Version.Serial())
		f.reloadOwed.Store(len(z.Reload.Command) > 0)
		crashpoint.Hit(crashpoint.FileWritten, z.Name)
	}
	if len(z.Reload.Command) == 0 {
		// A reload owed from before the command was taken out of the
		// config: there is nothing left to run.
		f.reloadOwed.Store(false)
		return nil
	}
	if !f.reloadOwed.Load() {
		return nil
	}
	if err := runReload(ctx, z); err != nil {
		return err
	}
	crashpoint.Hit(crashpoint.FileReloaded, z.Name)
	f.reloadOwed.Store(false)
	return nil
}

// FileHolds reports whether the file at path holds exactly what the
// zone's output file holds for r. A file with r's serial may not: edited
// by hand (or by the script zonerw replaced) without a new serial, it is
// written again, with what the template says. (A signed zone's file is
// judged by its serial alone: a version read back from the store, or
// signed again, has other signatures for the same records.)
func FileHolds(path string, z *Zone, r *Release) bool {
	want, err := zoneFileText(z, r)
	if err != nil {
		return false
	}
	have, err := os.ReadFile(path)
	return err == nil && bytes.Equal(have, want)
}

// writeZoneFile renders the template with the release's values and
// serial (for a signed zone, writes the version's records: the signed
// zone) and writes it atomically.
func writeZoneFile(z *Zone, r *Release) error {
	text, err := zoneFileText(z, r)
	if err != nil {
		return err
	}
	crashpoint.Hit(crashpoint.FileRendered, z.Name)
	if err := os.MkdirAll(filepath.Dir(z.Output), 0o755); err != nil {
		return fmt.Errorf("zone %s: output directory: %w", z.Name, err)
	}
	if err := zones.ReplaceFile(z.Output, text, 0o644); err != nil {
		return fmt.Errorf("zone %s: %w", z.Name, err)
	}
	return nil
}

// zoneFileText is what the output file holds for r: the template
// rendered, as the original script wrote it; for a signed zone, every
// record of the version, signatures and chain included, since a
// nameserver that loads the file must serve the zone signed.
func zoneFileText(z *Zone, r *Release) ([]byte, error) {
	if r.Version.Signed() {
		return signedZoneText(r.Version), nil
	}
	text, err := z.Template.Render(templates.Values{Serial: r.Version.Serial(), Active: r.Values.Active, TTL: r.Values.TTL})
	if err != nil {
		return nil, fmt.Errorf("zone %s: render: %w", z.Name, err)
	}
	return text, nil
}

// signedZoneText is the version in zone file form, one record a line,
// the SOA first.
func signedZoneText(v *zones.Version) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "; %s serial %d, signed by zonerw: edit the template, not this file\n", v.Origin(), v.Serial())
	b.WriteString(v.SOA().String())
	b.WriteByte('\n')
	v.Each(func(name []byte, n zones.Node) bool {
		owner := zones.WireNameText(name)
		for i := range n.Len() {
			s := n.At(i)
			if s.Type == dns.TypeSOA {
				continue
			}
			for _, rr := range s.Records(owner) {
				b.WriteString(rr.String())
				b.WriteByte('\n')
			}
		}
		return true
	})
	return b.Bytes()
}
