package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Two switches; perf samples inside and outside their windows, in the
// binary (inside and outside the group), the kernel and a library.
func TestProfileSplitsSamplesIntoSwitches(t *testing.T) {
	results := filepath.Join(t.TempDir(), "lab.out")
	lines := "label=z decision=2026-12-03T10:00:00.000000Z zonerw_ms=2.0 knot_ms=10.0\n" +
		"some other line\n" +
		"label=z decision=2026-12-03T10:00:02.000000Z zonerw_ms=2.0 knot_ms=1.0\n"
	if err := os.WriteFile(results, []byte(lines), 0o644); err != nil {
		t.Fatal(err)
	}
	// 2026-12-03T10:00:00Z is 1796292000 seconds after 1970.
	perf := `    0.000000: PERF_RECORD_MMAP2 1/1: [0x1000000(0x70000) @ 0xe000 fe:00 1 0]: r-xp /usr/sbin/knotd
 1796291999.999000:  1060000 (/usr/sbin/knotd)
 1796292000.001000:  1060000 (/usr/sbin/knotd)
 1796292000.002000:  1060010 (/usr/sbin/knotd)
 1796292000.003000:  1000100 (/usr/sbin/knotd)
 1796292000.004000:  ffffffff81000000 ([kernel.kallsyms])
 1796292000.005000:  7f0000000000 (/usr/lib/x86_64-linux-gnu/libc.so.6)
 1796292000.011000:  1060000 (/usr/sbin/knotd)
 1796292002.000500:  1060000 (/usr/sbin/knotd)
`
	var out strings.Builder
	err := profile([]string{"-results", results, "-server", "knot", "-binary", "/usr/sbin/knotd", "-hz", "1000",
		"-fn", "walk=6e000-6e020"}, strings.NewReader(perf), &out)
	if err != nil {
		t.Fatal(err)
	}
	got := squeeze(out.String())
	// Switch 1: two samples in walk (0x1060000 and 0x1060010 are offsets
	// 0x6e000 and 0x6e010), one elsewhere in knotd, one kernel, one libc;
	// the samples before the decision and after the answer are not counted.
	for _, want := range []string{
		"1 10.0 2.0 1.0 1.0 1.0 5.0",
		"2 1.0 1.0 0.0 0.0 0.0 1.0",
		"2 switches: knot answered in 5.5 ms median (1.0 to 10.0); the -fn groups ran 1.5 ms median (1.0 to 2.0)",
		"walk 1.50 ms per switch",
		"rest of /usr/sbin/knotd 0.50 ms per switch",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("output lacks %q:\n%s", want, got)
		}
	}
}

func TestProfileNeedsTheMapping(t *testing.T) {
	results := filepath.Join(t.TempDir(), "lab.out")
	os.WriteFile(results, []byte("label=z decision=2026-12-03T10:00:00Z knot_ms=1\n"), 0o644)
	err := profile([]string{"-results", results, "-server", "knot", "-binary", "/usr/sbin/knotd"},
		strings.NewReader(" 1796292000.001000:  1060000 (/usr/sbin/knotd)\n"), &strings.Builder{})
	if err == nil || !strings.Contains(err.Error(), "--show-mmap-events") {
		t.Fatalf("err = %v, want one naming --show-mmap-events", err)
	}
}

// squeeze turns each run of spaces into one, line by line.
func squeeze(s string) string {
	var lines []string
	for _, l := range strings.Split(s, "\n") {
		lines = append(lines, strings.Join(strings.Fields(l), " "))
	}
	return strings.Join(lines, "\n")
}

// Without -fn there are no groups to speak of in the summary.
func TestProfileWithoutGroups(t *testing.T) {
	results := filepath.Join(t.TempDir(), "lab.out")
	os.WriteFile(results, []byte("label=z decision=2026-12-03T10:00:00Z nsd_ms=4\n"), 0o644)
	perf := `    0.000000: PERF_RECORD_MMAP2 1/1: [0x1000000(0x70000) @ 0xe000 fe:00 1 0]: r-xp /usr/sbin/nsd
 1796292000.001000:  1060000 (/usr/sbin/nsd)
`
	var out strings.Builder
	err := profile([]string{"-results", results, "-server", "nsd", "-binary", "/usr/sbin/nsd", "-hz", "1000"}, strings.NewReader(perf), &out)
	if err != nil {
		t.Fatal(err)
	}
	got := squeeze(out.String())
	if !strings.Contains(got, "1 switches: nsd answered in 4.0 ms median (4.0 to 4.0)\n") || strings.Contains(got, "-fn groups") {
		t.Errorf("summary:\n%s", got)
	}
	if !strings.Contains(got, "rest of /usr/sbin/nsd 1.00 ms per switch") {
		t.Errorf("the sample in nsd is not counted:\n%s", got)
	}
}
