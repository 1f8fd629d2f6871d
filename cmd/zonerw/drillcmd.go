package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"text/tabwriter"
	"time"

	"github.com/zonerw/zonerw/cmd/zonerw/config"
	"github.com/zonerw/zonerw/cmd/zonerw/drill"
	"github.com/zonerw/zonerw/cmd/zonerw/view"
	"github.com/zonerw/zonerw/failover"
)

// drillRequest is the body of POST /drill.
type drillRequest struct {
	Service string        `json:"service"`
	For     time.Duration `json:"for_ns"`
}

// registerDrill adds the drill endpoints to the admin socket: POST /drill
// starts one and answers once the names have moved, GET /drill/{service}
// says whether one runs and how the last went.
func registerDrill(mux *http.ServeMux, d *daemon) {
	mux.HandleFunc("POST /drill", func(w http.ResponseWriter, r *http.Request) {
		var req drillRequest
		if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
			http.Error(w, "bad request: "+err.Error(), http.StatusBadRequest)
			return
		}
		if _, err := d.drills.Drill(req.Service, req.For); err != nil {
			answer(w, err, nil)
			return
		}
		v, err := d.drills.View(req.Service)
		answer(w, err, v)
	})
	mux.HandleFunc("GET /drill/{service}", func(w http.ResponseWriter, r *http.Request) {
		v, err := d.drills.View(r.PathValue("service"))
		answer(w, err, v)
	})
}

// drillPoll is how often zonerw drill asks the daemon how the drill goes.
const drillPoll = 250 * time.Millisecond

// runDrill is `zonerw drill SERVICE [--for 2m] [--detach]`: a failover
// drill through the running daemon. It waits for the drill's report and
// prints it; the exit status is 0 only if the drill passed.
func runDrillCmd(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("zonerw drill", "zonerw drill [-c FILE] [--for DURATION] [--detach] SERVICE", stdout, stderr)
	cfgPath := fs.String("c", defaultConfig, "config file")
	dur := &spanFlag{d: config.DefaultDrillFor}
	fs.Var(dur, "for", "how long the service stays on its next target")
	detach := fs.Bool("detach", false, "return once the names have moved; the report comes to zonerw status, the audit log and the alerts")
	code, rest, ok := parseWithArgs(fs, args, stdout, 1)
	if !ok {
		return code
	}
	cfg, err := config.Load(*cfgPath)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return exitFailure
	}
	var v drill.View
	err = adminCall(ctx, cfg.StateDir, "POST", "/drill", drillRequest{Service: rest[0], For: dur.d}, &v)
	if errors.Is(err, errNoDaemon) {
		err = fmt.Errorf("zonerw drill needs the daemon: %w (start zonerw serve; a drill publishes and watches every destination follow)", err)
	}
	if err != nil || v.Pin == nil {
		fmt.Fprintln(stderr, orError(err, "the daemon started no drill"))
		return exitFailure
	}
	pin := *v.Pin
	fmt.Fprintf(stdout, "drill %s: moved from %s to %s until %s\n", v.Service, pin.From, pin.Target, pin.Until.Local().Format(time.RFC3339))
	if *detach {
		return exitOK
	}
	rep, err := waitDrill(ctx, cfg.StateDir, v.Service, pin.Since)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return exitFailure
	}
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
	view.PrintDrill(tw, "drill", rep, time.Now())
	tw.Flush()
	if rep.Result != failover.DrillPassed {
		return exitFailure
	}
	return exitOK
}

// waitDrill asks the daemon until the drill begun at since has its report.
func waitDrill(ctx context.Context, stateDir, service string, since time.Time) (*failover.DrillReport, error) {
	t := time.NewTicker(drillPoll)
	defer t.Stop()
	for {
		var v drill.View
		if err := adminCall(ctx, stateDir, "GET", "/drill/"+url.PathEscape(service), nil, &v); err != nil {
			return nil, fmt.Errorf("waiting for the drill's report: %w", err)
		}
		if !v.Running && v.Last != nil && v.Last.Start.Equal(since) {
			return v.Last, nil
		}
		select {
		case <-ctx.Done():
			return nil, errors.New("stopped waiting; the drill goes on in the daemon (zonerw status shows its report)")
		case <-t.C:
		}
	}
}

func orError(err error, text string) error {
	if err != nil {
		return err
	}
	return errors.New(text)
}
