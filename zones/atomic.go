package zones

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// WriteFile writes data to path atomically: temp file in the same directory,
// write, fsync, close (checked), rename, fsync the directory. On any error the
// previous file is untouched and no temp file is left behind.
//
// perm is applied as given, not filtered by the umask. The one exception to
// "untouched" is a failure of the final directory fsync: the new file is
// then in place but may not survive a crash, and the error says so.
func WriteFile(path string, data []byte, perm os.FileMode) error {
	return writeAtomic(path, perm, func(w io.Writer) error {
		_, err := w.Write(data)
		return err
	}, nil)
}

// writeAtomic is WriteFile with the content produced by write, kept apart
// from where it goes. beforeRename, when not nil, runs after the temp file
// is synced and closed; tests use it to fail at that point.
func writeAtomic(path string, perm os.FileMode, write func(io.Writer) error, beforeRename func(tmp string) error) error {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	f, err := os.CreateTemp(dir, "."+base+".tmp-*")
	if err != nil {
		return fmt.Errorf("write %s: create temp file: %w", path, err)
	}
	tmp := f.Name()
	fail := func(err error) error {
		f.Close() // may be closed already; err is the failure to report
		os.Remove(tmp)
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := fillFile(f, perm, write); err != nil {
		return fail(err)
	}
	if beforeRename != nil {
		if err := beforeRename(tmp); err != nil {
			return fail(err)
		}
	}
	if err := os.Rename(tmp, path); err != nil {
		return fail(err)
	}
	if err := syncDir(dir); err != nil {
		return fmt.Errorf("write %s: the new file is in place but may not be durable: %w", path, err)
	}
	return nil
}

// fillFile sets the mode of the open temp file f, writes its content,
// syncs and closes it.
func fillFile(f *os.File, perm os.FileMode, write func(io.Writer) error) error {
	if err := f.Chmod(perm); err != nil {
		return fmt.Errorf("set mode of temp file: %w", err)
	}
	if err := write(f); err != nil {
		return fmt.Errorf("write temp file: %w", err)
	}
	if err := f.Sync(); err != nil {
		return fmt.Errorf("sync temp file: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("close temp file: %w", err)
	}
	return nil
}

// syncDir fsyncs a directory so a rename in it survives a crash.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("open directory: %w", err)
	}
	err = d.Sync()
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("sync directory %s: %w", dir, err)
	}
	return nil
}
