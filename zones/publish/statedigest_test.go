package publish

import (
	"testing"

	"github.com/zonerw/zonerw/zones"
)

// With the store lost, the state file's digest says what the zone held at
// the state file's serial, and no more: a higher serial seen elsewhere
// (the output file, a secondary) may hold other content. Content equal to
// the digest keeps the state's serial only when that serial is the
// highest seen; otherwise it must go above, or the secondaries, holding
// that higher serial with other content, would never take it.
func TestTheStateDigestSpeaksOnlyForTheStateSerial(t *testing.T) {
	z := newZone(t, tmplText)
	digest := func(v Values) string {
		ver, err := compile(t, z).Version(1, v)
		if err != nil {
			t.Fatal(err)
		}
		return ver.Digest()
	}
	tests := []struct {
		name  string
		floor uint32 // 0: none besides the state file
		want  uint32
	}{
		{"the state serial is the highest seen: kept", 0, 2026120204},
		{"a higher serial seen with other content: above it", 2026120205, 2026120206},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := newPipeline(t, t.TempDir()) // an empty store: it was lost
			p.AddZone(z.Name, ZoneState{ZoneState: zones.ZoneState{Serial: 2026120204, Digest: digest(onMain())}})
			if tc.floor != 0 {
				p.RaiseFloor(z.Name, tc.floor) // the output file, written after the state file
			}
			ch := apply(t, p, z, onMain(), false)
			if ch.Serial != tc.want {
				t.Fatalf("serial %d, want %d", ch.Serial, tc.want)
			}
		})
	}
}
