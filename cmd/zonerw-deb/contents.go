package main

import (
	"embed"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/goreleaser/nfpm/v2"
	"github.com/goreleaser/nfpm/v2/files"
)

//go:embed scripts
var scripts embed.FS

// staged are the generated files the package takes from the build's temp
// directory.
type staged struct {
	unit, man               string
	postinst, prerm, postrm string
}

// stage writes the packaged unit, the man page and the maintainer scripts
// into dir.
func stage(root, dir string, man []byte) (staged, error) {
	s := staged{
		unit: filepath.Join(dir, "zonerw.service"), man: filepath.Join(dir, "zonerw.1.gz"),
		postinst: filepath.Join(dir, "postinst"), prerm: filepath.Join(dir, "prerm"), postrm: filepath.Join(dir, "postrm"),
	}
	example, err := os.ReadFile(filepath.Join(root, "examples", "zonerw.service"))
	if err != nil {
		return s, err
	}
	unit, err := packagedUnit(string(example))
	if err != nil {
		return s, err
	}
	writes := map[string][]byte{s.unit: []byte(unit), s.man: man}
	for _, name := range []string{"postinst", "prerm", "postrm"} {
		b, err := scripts.ReadFile("scripts/" + name)
		if err != nil {
			return s, err
		}
		writes[filepath.Join(dir, name)] = b
	}
	for path, data := range writes {
		if err := os.WriteFile(path, data, 0o644); err != nil {
			return s, err
		}
	}
	return s, nil
}

// packagedUnit is examples/zonerw.service as the package installs it: the
// binary at /usr/bin/zonerw, and a header saying how to start it in place
// of the manual install steps.
func packagedUnit(example string) (string, error) {
	const from, to = "ExecStart=/usr/local/bin/zonerw ", "ExecStart=/usr/bin/zonerw "
	if !strings.Contains(example, from) {
		return "", fmt.Errorf("examples/zonerw.service no longer has %q", from)
	}
	_, body, ok := strings.Cut(example, "[Unit]\n")
	if !ok {
		return "", fmt.Errorf("examples/zonerw.service has no [Unit] section")
	}
	header := "# systemd unit for the zonerw DNS failover daemon, installed by the zonerw\n" +
		"# package. Edit /etc/zonerw/zonerw.yaml (state_dir: /var/lib/zonerw), check\n" +
		"# it with `zonerw check`, then: systemctl enable --now zonerw\n" +
		"# Local changes (ReadWritePaths= for output files): systemctl edit zonerw\n"
	return header + "[Unit]\n" + strings.ReplaceAll(body, from, to), nil
}

// packageInfo describes the package.
func packageInfo(o options, mt time.Time, bin string, s staged) *nfpm.Info {
	file := func(src, dst string, mode os.FileMode) *files.Content {
		return &files.Content{Source: src, Destination: dst, FileInfo: &files.ContentFileInfo{Mode: mode, MTime: mt}}
	}
	config := func(src, dst string) *files.Content {
		c := file(src, dst, 0o644)
		c.Type = files.TypeConfigNoReplace
		return c
	}
	return &nfpm.Info{
		Name:          "zonerw",
		Arch:          o.goarch,
		Platform:      "linux",
		Version:       o.version,
		VersionSchema: "none",
		Section:       "net",
		Priority:      "optional",
		Maintainer:    "zonerw developers <zonerw@example.invalid>",
		Description: "DNS failover: keeps a domain pointed at a server that is up\n" +
			"zonerw probes the main server over HTTP(S) or TCP and, when it stops\n" +
			"answering, points the service names at the backup: it serves the zones\n" +
			"from its own authoritative nameserver with AXFR/IXFR, TSIG and NOTIFY to\n" +
			"NSD, Knot or BIND secondaries, or changes the records at Cloudflare or\n" +
			"Gandi. zonerw import translates an existing nsd.conf or named.conf.",
		Homepage: "https://github.com/zonerw/zonerw",
		MTime:    mt,
		Overridables: nfpm.Overridables{
			Contents: files.Contents{
				file(bin, "/usr/bin/zonerw", 0o755),
				file(s.unit, "/usr/lib/systemd/system/zonerw.service", 0o644),
				file(s.man, "/usr/share/man/man1/zonerw.1.gz", 0o644),
				config(filepath.Join(o.root, "examples", "zonerw-deb.yaml"), "/etc/zonerw/zonerw.yaml"),
				config(filepath.Join(o.root, "examples", "example.com.zone.tmpl"), "/etc/zonerw/example.com.zone.tmpl"),
				file(filepath.Join(o.root, "README.md"), "/usr/share/doc/zonerw/README.md", 0o644),
			},
			Scripts: nfpm.Scripts{PostInstall: s.postinst, PreRemove: s.prerm, PostRemove: s.postrm},
		},
	}
}
