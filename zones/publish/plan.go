package publish

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"time"

	"github.com/zonerw/zonerw/templates"
	"github.com/zonerw/zonerw/zones"
)

// Plan is what one run would do to one zone.
type Plan struct {
	Zone    *Zone
	Changed bool   // the content differs from what was last written (or force)
	Serial  uint32 // the serial the zone has after this run
	Text    []byte // the rendered file, with Serial in it
	Parsed  *zones.Zone
	// Missing is set when the output file does not exist (it is rewritten
	// even if its content would match the state).
	Missing bool
	// Warnings are problems that did not stop the plan.
	Warnings []string
}

// Input is what a plan needs besides the zone.
type Input struct {
	Active map[string]templates.Addrs
	TTL    map[string]uint32
	State  ZoneState // zero when nothing is remembered
	Force  bool
	Now    time.Time
}

// MakePlan renders z for in and decides whether and with which serial it
// must be written. It reads the current output file (to recover the serial
// and content when the state is lost) and writes nothing.
func MakePlan(z *Zone, in Input) (*Plan, error) {
	p := &Plan{Zone: z}
	cur, err := readCurrent(z)
	switch {
	case z.Output == "":
		// Served only by the embedded nameserver: no file to compare with.
	case errors.Is(err, fs.ErrNotExist):
		p.Missing = true
	case err != nil:
		p.Warnings = append(p.Warnings, fmt.Sprintf("cannot read the current zone file, so its serial is not taken into account: %v", err))
	}

	prev, havePrev := in.State.Serial, in.State.Serial != 0
	if cur != nil && (!havePrev || zones.SerialLess(prev, cur.Serial())) {
		prev, havePrev = cur.Serial(), true
	}

	// Render once with the previous serial to learn whether the content moved.
	_, draft, err := render(z, in, prev)
	if err != nil {
		return nil, err
	}
	lastDigest := in.State.Digest
	if lastDigest == "" && cur != nil {
		lastDigest = cur.Digest()
	}
	p.Changed = in.Force || draft.Digest() != lastDigest
	if !p.Changed && !p.Missing {
		p.Serial, p.Parsed = prev, draft
		return p, nil
	}
	if p.Changed || !havePrev {
		next, err := zones.NextSerial(z.Policy, prev, havePrev, in.Now)
		if err != nil {
			return nil, fmt.Errorf("zone %s: %w", z.Name, err)
		}
		prev = next
	}
	text, final, err := render(z, in, prev)
	if err != nil {
		return nil, err
	}
	p.Serial, p.Parsed, p.Text = prev, final, text
	return p, nil
}

// render fills the template and parses the result back as a zone, so no
// render that is not a valid zone can reach a file or a server.
func render(z *Zone, in Input, serial uint32) ([]byte, *zones.Zone, error) {
	text, err := z.Template.Render(templates.Values{Serial: serial, Active: in.Active, TTL: in.TTL})
	if err != nil {
		return nil, nil, err
	}
	parsed, err := zones.Parse(z.Name, z.Template.File()+" (rendered)", text, z.Parse)
	if err != nil {
		return nil, nil, fmt.Errorf("zone %s: the rendered template is not a valid zone: %w", z.Name, err)
	}
	if parsed.Serial() != serial {
		return nil, nil, fmt.Errorf("zone %s: %s has no @serial number@ marker in its SOA (the serial always renders as %d)",
			z.Name, z.Template.File(), parsed.Serial())
	}
	return text, parsed, nil
}

// readCurrent parses the zone file as it is on disk now.
func readCurrent(z *Zone) (*zones.Zone, error) {
	if z.Output == "" {
		return nil, nil
	}
	data, err := os.ReadFile(z.Output)
	if err != nil {
		return nil, err
	}
	return zones.Parse(z.Name, z.Output, data, z.Parse)
}
