package metrics

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// dashboardFile is the Grafana dashboard shipped in docs/.
var dashboardFile = filepath.Join("..", "..", "..", "docs", "grafana-dashboard.json")

// dashPanel is the part of a Grafana panel the test reads.
type dashPanel struct {
	ID         int    `json:"id"`
	Type       string `json:"type"`
	Title      string `json:"title"`
	Datasource *struct {
		UID string `json:"uid"`
	} `json:"datasource"`
	Targets []struct {
		Expr         string `json:"expr"`
		LegendFormat string `json:"legendFormat"`
		Datasource   *struct {
			UID string `json:"uid"`
		} `json:"datasource"`
	} `json:"targets"`
}

// TestDashboardNamesExportedMetrics: every metric the dashboard queries
// is one the code defines, every label it groups by, filters on or shows
// in a legend is one of those metrics' labels (docs/metrics.md), and the
// panels the dashboard promises are there.
func TestDashboardNamesExportedMetrics(t *testing.T) {
	data, err := os.ReadFile(dashboardFile)
	if err != nil {
		t.Fatal(err)
	}
	var dash struct {
		UID        string      `json:"uid"`
		Panels     []dashPanel `json:"panels"`
		Templating struct {
			List []struct {
				Definition string `json:"definition"`
			} `json:"list"`
		} `json:"templating"`
		Annotations struct {
			List []struct {
				Expr string `json:"expr"`
			} `json:"list"`
		} `json:"annotations"`
	}
	if err := json.Unmarshal(data, &dash); err != nil {
		t.Fatalf("%s: %v", dashboardFile, err)
	}
	defined := codeMetricNames(t)
	labels := documentedLabels(t)

	var extra []string // the variables' and annotations' queries
	for _, v := range dash.Templating.List {
		if v.Definition != "" {
			extra = append(extra, v.Definition)
		}
	}
	for _, a := range dash.Annotations.List {
		extra = append(extra, a.Expr)
	}
	ids := map[int]bool{}
	used := map[string]bool{}
	for _, p := range dash.Panels {
		if ids[p.ID] {
			t.Errorf("panel %q: id %d used twice", p.Title, p.ID)
		}
		ids[p.ID] = true
		if p.Type == "row" {
			continue
		}
		if len(p.Targets) == 0 {
			t.Errorf("panel %q queries nothing", p.Title)
		}
		if p.Datasource == nil || p.Datasource.UID != "${datasource}" {
			t.Errorf("panel %q does not use the dashboard's data source variable", p.Title)
		}
		for _, tg := range p.Targets {
			if tg.Datasource == nil || tg.Datasource.UID != "${datasource}" {
				t.Errorf("panel %q: a query does not use the data source variable", p.Title)
			}
			names := checkExpr(t, p.Title, tg.Expr, defined, labels)
			for _, n := range names {
				used[n] = true
			}
			allowed := exprLabels(names, labels)
			for _, m := range regexp.MustCompile(`\{\{\s*(\w+)\s*\}\}`).FindAllStringSubmatch(tg.LegendFormat, -1) {
				if !allowed[m[1]] {
					t.Errorf("panel %q: legend shows {{%s}}, which %v do not carry", p.Title, m[1], names)
				}
			}
		}
	}
	if len(extra) < 3 {
		t.Errorf("want the instance and service variables and the switch annotation, found %q", extra)
	}
	for _, e := range extra {
		for _, n := range checkExpr(t, "templating/annotations", e, defined, labels) {
			used[n] = true
		}
	}
	for _, want := range []string{
		"zonerw_failover_active_target", "zonerw_probe_duration_seconds", "zonerw_failover_switches_total",
		"zonerw_secondary_behind_seconds", "zonerw_provider_publishes_total",
	} {
		if !used[want] {
			t.Errorf("the dashboard has no panel on %s", want)
		}
	}
}

// checkExpr returns the metric names in a PromQL expression, failing the
// test for a name the code does not define or a label those metrics lack.
func checkExpr(t *testing.T, where, expr string, defined []string, labels map[string][]string) []string {
	t.Helper()
	var names []string
	for _, n := range regexp.MustCompile(`zonerw_[a-z_]+`).FindAllString(expr, -1) {
		for _, suffix := range []string{"_bucket", "_sum", "_count"} {
			if base, ok := strings.CutSuffix(n, suffix); ok && slices.Contains(defined, base) {
				n = base
			}
		}
		if !slices.Contains(defined, n) {
			t.Errorf("%s: %s names %s, which the code does not export", where, expr, n)
			continue
		}
		if !slices.Contains(names, n) {
			names = append(names, n)
		}
	}
	if len(names) == 0 {
		t.Errorf("%s: %q names no zonerw metric", where, expr)
	}
	allowed := exprLabels(names, labels)
	var used []string
	for _, m := range regexp.MustCompile(`(?:by|without|on|ignoring)\s*\(([^)]*)\)`).FindAllStringSubmatch(expr, -1) {
		for _, l := range strings.Split(m[1], ",") {
			if l = strings.TrimSpace(l); l != "" {
				used = append(used, l)
			}
		}
	}
	for _, m := range regexp.MustCompile(`[{,]\s*(\w+)\s*(?:=~|!~|!=|=)`).FindAllStringSubmatch(expr, -1) {
		used = append(used, m[1])
	}
	for _, l := range used {
		if !allowed[l] {
			t.Errorf("%s: %s uses label %q, which %v do not carry", where, expr, l, names)
		}
	}
	return names
}

// exprLabels is the labels the named metrics carry, with those Prometheus
// adds (instance, job) and a histogram's le.
func exprLabels(names []string, labels map[string][]string) map[string]bool {
	out := map[string]bool{"instance": true, "job": true, "le": true}
	for _, n := range names {
		for _, l := range labels[n] {
			out[l] = true
		}
	}
	return out
}

// documentedLabels reads each metric's labels from docs/metrics.md.
func documentedLabels(t *testing.T) map[string][]string {
	t.Helper()
	doc, err := os.ReadFile(filepath.Join("..", "..", "..", "docs", "metrics.md"))
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]string{}
	row := regexp.MustCompile("(?m)^\\| `(zonerw_[a-z_]+)` \\| [a-z]+ \\| ([a-z_, ]*) \\|")
	for _, m := range row.FindAllStringSubmatch(string(doc), -1) {
		for _, l := range strings.Split(m[2], ",") {
			if l = strings.TrimSpace(l); l != "" {
				out[m[1]] = append(out[m[1]], l)
			}
		}
	}
	if len(out) < 20 {
		t.Fatalf("read labels of only %d metrics from docs/metrics.md", len(out))
	}
	return out
}

// codeMetricNames are the metric names this package's code defines.
func codeMetricNames(t *testing.T) []string {
	t.Helper()
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
	slices.Sort(defined)
	return slices.Compact(defined)
}
