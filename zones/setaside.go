package zones

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"time"
)

// SetAside renames a damaged file out of the way, keeping it for a human:
// to PATH.damaged-TIME, or PATH.damaged-TIME.N when a file set aside in
// the same second holds that name (no damaged copy replaces another). It
// returns the new path.
func SetAside(path string, now time.Time) (string, error) {
	stem := fmt.Sprintf("%s.damaged-%s", path, now.UTC().Format("20060102T150405Z"))
	to := stem
	for n := 1; ; n++ {
		if _, err := os.Lstat(to); errors.Is(err, fs.ErrNotExist) {
			break
		}
		if n > 1000 {
			return "", fmt.Errorf("set aside %s: too many damaged copies named %s*", path, stem)
		}
		to = fmt.Sprintf("%s.%d", stem, n)
	}
	if err := os.Rename(path, to); err != nil {
		return "", fmt.Errorf("set aside %s: %w", path, err)
	}
	return to, nil
}
