package zones

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/zonerw/zonerw/zones/crashpoint"
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

// ReplaceFile is WriteFile for a file that other programs own a share of,
// such as a zone file a nameserver loads: when path is a symbolic link,
// the file it leads to is replaced (the temp file made beside it) and the
// link stays; a file that exists keeps its mode, owner and group (the
// owner as far as the process may set it). perm is the mode of a new
// file.
func ReplaceFile(path string, data []byte, perm os.FileMode) error {
	target, err := followLinks(path)
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	keep := func(*os.File) error { return nil }
	if fi, err := os.Stat(target); err == nil {
		perm = fi.Mode().Perm()
		if st, ok := fi.Sys().(*syscall.Stat_t); ok {
			uid, gid := int(st.Uid), int(st.Gid)
			keep = func(f *os.File) error {
				if err := f.Chown(uid, gid); err != nil && !errors.Is(err, fs.ErrPermission) {
					return fmt.Errorf("keep owner of %s: %w", target, err)
				}
				return nil
			}
		}
	}
	return writeAtomicKeeping(target, perm, keep, func(w io.Writer) error {
		_, err := w.Write(data)
		return err
	}, nil)
}

// ResolvedPath is where ReplaceFile writes for path: the file a symbolic
// link leads to, or path itself.
func ResolvedPath(path string) string {
	if target, err := followLinks(path); err == nil {
		return target
	}
	return path
}

// followLinks is the path that path leads to through symbolic links, the
// last of which may point at a file not made yet.
func followLinks(path string) (string, error) {
	for range 40 { // as the kernel's limit on links in a row
		fi, err := os.Lstat(path)
		if err != nil || fi.Mode()&fs.ModeSymlink == 0 {
			return path, nil // a file, or nothing yet: written here
		}
		to, err := os.Readlink(path)
		if err != nil {
			return "", err
		}
		if !filepath.IsAbs(to) {
			to = filepath.Join(filepath.Dir(path), to)
		}
		path = to
	}
	return "", fmt.Errorf("too many symbolic links")
}

// WriteFileFunc is WriteFile with the content produced by write, kept apart
// from where it goes (a test can write to a buffer instead).
func WriteFileFunc(path string, perm os.FileMode, write func(io.Writer) error) error {
	return writeAtomic(path, perm, write, nil)
}

// tempPattern names the temp files writeAtomic makes beside path's base.
func tempPattern(base string) string { return "." + base + ".tmp-*" }

// RemoveStaleTemps removes from dir the temp files that an atomic write
// interrupted by a crash or a kill left behind, and returns their names.
// A directory that does not exist holds none.
func RemoveStaleTemps(dir string) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("look for leftover temp files: %w", err)
	}
	var removed []string
	for _, e := range entries {
		name := e.Name()
		if !e.Type().IsRegular() || !strings.HasPrefix(name, ".") || !strings.Contains(name, ".tmp-") {
			continue
		}
		if err := os.Remove(filepath.Join(dir, name)); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return removed, fmt.Errorf("remove leftover temp file: %w", err)
		}
		removed = append(removed, name)
	}
	return removed, nil
}

// RemoveStaleTempsOf removes the temp files that an interrupted atomic
// write of path left beside it, and only those (a zone file's directory
// may hold other programs' files), and returns their names.
func RemoveStaleTempsOf(path string) ([]string, error) {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	matches, err := filepath.Glob(filepath.Join(dir, tempPattern(globEscape(base))))
	if err != nil {
		return nil, fmt.Errorf("look for leftover temp files of %s: %w", path, err)
	}
	var removed []string
	for _, m := range matches {
		if fi, err := os.Lstat(m); err != nil || !fi.Mode().IsRegular() {
			continue
		}
		if err := os.Remove(m); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return removed, fmt.Errorf("remove leftover temp file: %w", err)
		}
		removed = append(removed, filepath.Base(m))
	}
	return removed, nil
}

// globEscape quotes the characters filepath.Match treats as special.
func globEscape(s string) string {
	var b strings.Builder
	for _, r := range s {
		if strings.ContainsRune(`*?[\`, r) {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// writeAtomic is WriteFile with the content produced by write, kept apart
// from where it goes. beforeRename, when not nil, runs after the temp file
// is synced and closed; tests use it to fail at that point.
func writeAtomic(path string, perm os.FileMode, write func(io.Writer) error, beforeRename func(tmp string) error) error {
	return writeAtomicKeeping(path, perm, func(*os.File) error { return nil }, write, beforeRename)
}

// writeAtomicKeeping is writeAtomic with keep run on the temp file before
// it is filled (ReplaceFile sets the owner there).
func writeAtomicKeeping(path string, perm os.FileMode, keep func(*os.File) error, write func(io.Writer) error, beforeRename func(tmp string) error) error {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	f, err := os.CreateTemp(dir, tempPattern(base))
	if err != nil {
		return fmt.Errorf("write %s: create temp file: %w", path, err)
	}
	tmp := f.Name()
	crashpoint.Hit(crashpoint.TempCreated, base)
	fail := func(err error) error {
		f.Close() // may be closed already; err is the failure to report
		os.Remove(tmp)
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := keep(f); err != nil {
		return fail(err)
	}
	if err := fillFile(f, perm, write, base); err != nil {
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
	crashpoint.Hit(crashpoint.Renamed, base)
	if err := syncDir(dir); err != nil {
		return fmt.Errorf("write %s: the new file is in place but may not be durable: %w", path, err)
	}
	crashpoint.Hit(crashpoint.DirSynced, base)
	return nil
}

// fillFile sets the mode of the open temp file f, writes its content,
// syncs and closes it. base names the target file for the crash points.
func fillFile(f *os.File, perm os.FileMode, write func(io.Writer) error, base string) error {
	if err := f.Chmod(perm); err != nil {
		return fmt.Errorf("set mode of temp file: %w", err)
	}
	if err := write(f); err != nil {
		return fmt.Errorf("write temp file: %w", err)
	}
	crashpoint.Hit(crashpoint.TempWritten, base)
	if err := f.Sync(); err != nil {
		return fmt.Errorf("sync temp file: %w", err)
	}
	crashpoint.Hit(crashpoint.TempSynced, base)
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
