package view

import (
	"fmt"
	"io"
	"time"

	"github.com/zonerw/zonerw/failover"
)

// PrintDrill prints a drill's report (under a service in status and
// explain, label "last drill"; for zonerw drill, "drill"): a line with its
// outcome, then a row per destination with how long it took to follow
// there and back.
func PrintDrill(w io.Writer, label string, r *failover.DrillReport, now time.Time) {
	fmt.Fprintf(w, "  %s %s: %s to %s for %s, %s: %s\n", label, ago(r.Start, now), r.From, r.Target, r.For, r.Result, r.Reason)
	if len(r.Follow) == 0 {
		return
	}
	fmt.Fprintln(w, "    DESTINATION\tTHERE\tBACK\tPROBLEM")
	for _, f := range r.Follow {
		fmt.Fprintf(w, "    %s\t%s\t%s\t%s\n", f.Destination, followText(f.There), followText(f.Back), Dash(f.Error))
	}
}

// followText is a time to follow, or "-" for one that did not happen.
func followText(d time.Duration) string {
	if d <= 0 {
		return "-"
	}
	return Latency(d)
}
