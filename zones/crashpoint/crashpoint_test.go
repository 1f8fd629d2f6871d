package crashpoint

import (
	"regexp"
	"testing"
)

// Every point is listed once in All, named "area.step", so the harness
// (which kills by name) and ZONERW_CRASH_AT can reach each one.
func TestPointsAreListedOnceAndNamedPlainly(t *testing.T) {
	name := regexp.MustCompile(`^[a-z]+\.[a-z-]+$`)
	seen := map[Point]bool{}
	for _, p := range All {
		if seen[p] {
			t.Errorf("%s listed twice", p)
		}
		seen[p] = true
		if !name.MatchString(string(p)) {
			t.Errorf("%q is not named area.step", p)
		}
	}
	if len(All) != 19 {
		t.Errorf("All lists %d points; a point added or removed must be added to or removed from All (and docs/reliability.md)", len(All))
	}
}

// In a normal build reaching a point does nothing, however often.
func TestHitDoesNothingInANormalBuild(t *testing.T) {
	if Enabled {
		t.Skip("built with -tags crashpoints: Hit kills when ZONERW_CRASH_AT says so")
	}
	for range 3 {
		for _, p := range All {
			Hit(p, "test")
		}
	}
}
