package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"

	"github.com/zonerw/zonerw/cmd/zonerw/importer"
)

// runImport is `zonerw import [--from nsd|bind] [--write-keys DIR] FILE`:
// the translated config on stdout, what was not translated on stderr.
func runImport(_ context.Context, args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("zonerw import", "zonerw import [--from nsd|bind] [--write-keys DIR] FILE", stdout, stderr)
	from := fs.String("from", "", "the source's kind, nsd or bind (default: told from the file's name or text)")
	keyDir := fs.String("write-keys", "", "write each TSIG key to DIR/NAME.key (mode 0600) and name it there in the config")
	code, rest, ok := parseWithArgs(fs, args, stdout, 1)
	if !ok {
		return code
	}
	r, err := importer.Import(rest[0], importer.Options{From: *from, KeyDir: *keyDir})
	if err != nil {
		fmt.Fprintln(stderr, err)
		return exitFailure
	}
	if len(r.Keys) > 0 {
		if err := os.MkdirAll(*keyDir, 0o700); err != nil {
			fmt.Fprintln(stderr, err)
			return exitFailure
		}
	}
	for _, k := range r.Keys {
		if err := writeKeyFile(k); err != nil {
			fmt.Fprintln(stderr, err)
			return exitFailure
		}
	}
	for _, n := range r.Notes {
		fmt.Fprintf(stderr, "%s\n", n)
	}
	if len(r.Notes) > 0 {
		fmt.Fprintf(stderr, "%d items not translated or translated in part (listed above); review them before using the config\n", len(r.Notes))
	}
	if _, err := stdout.Write(r.YAML); err != nil {
		fmt.Fprintln(stderr, err)
		return exitFailure
	}
	return exitOK
}

// writeKeyFile creates a key file, mode 0600. An existing file with the
// same contents is left as it is; one with other contents is an error,
// never overwritten.
func writeKeyFile(k importer.KeyFile) error {
	f, err := os.OpenFile(k.Path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		old, rerr := os.ReadFile(k.Path)
		if rerr == nil && bytes.Equal(old, k.Data) {
			return nil
		}
		return fmt.Errorf("key %s: %s exists with other contents; move it away or pick another --write-keys directory", k.Name, k.Path)
	}
	if err != nil {
		return fmt.Errorf("key %s: %w", k.Name, err)
	}
	if _, err := f.Write(k.Data); err != nil {
		f.Close()
		return fmt.Errorf("key %s: %w", k.Name, err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("key %s: %w", k.Name, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("key %s: %w", k.Name, err)
	}
	return nil
}
