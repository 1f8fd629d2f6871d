package metrics

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// TestDocsNameEveryMetric keeps docs/metrics.md and the code in step: every
// metric name this package defines has a row there, and every row names a
// metric this package defines.
func TestDocsNameEveryMetric(t *testing.T) {
	doc, err := os.ReadFile(filepath.Join("..", "..", "..", "docs", "metrics.md"))
	if err != nil {
		t.Fatal(err)
	}
	row := regexp.MustCompile("(?m)^\\| `(zonerw_[a-z_]+)` \\|")
	var documented []string
	for _, m := range row.FindAllStringSubmatch(string(doc), -1) {
		documented = append(documented, m[1])
	}

	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	literal := regexp.MustCompile(`"(zonerw_[a-z_]+)"`)
	var defined []string
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range literal.FindAllStringSubmatch(string(src), -1) {
			defined = append(defined, m[1])
		}
	}
	slices.Sort(documented)
	slices.Sort(defined)
	defined = slices.Compact(defined)
	if len(defined) < 30 {
		t.Fatalf("found only %d metric names in the code: %v", len(defined), defined)
	}
	for _, name := range defined {
		if _, found := slices.BinarySearch(documented, name); !found {
			t.Errorf("%s is not in docs/metrics.md", name)
		}
	}
	for _, name := range documented {
		if _, found := slices.BinarySearch(defined, name); !found {
			t.Errorf("docs/metrics.md names %s, which the code does not define", name)
		}
	}
}
