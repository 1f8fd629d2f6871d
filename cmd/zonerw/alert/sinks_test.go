package alert

import (
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

var t0 = time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)

var switchEvent = Event{Kind: Switch, Service: "web", From: "main", To: "backup",
	Reason: "main down after 2 consecutive failures: connect: connection refused", At: t0}

func TestWebhookPostsSlackCompatibleJSON(t *testing.T) {
	got := make(chan *http.Request, 1)
	bodies := make(chan []byte, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		got <- r
		bodies <- b
	}))
	defer srv.Close()
	wh := &Webhook{URL: srv.URL + "/hooks/T000/B000/secret-token"}
	if err := wh.Send(context.Background(), switchEvent); err != nil {
		t.Fatal(err)
	}
	r, body := <-got, <-bodies
	if r.Method != http.MethodPost || r.Header.Get("Content-Type") != "application/json" {
		t.Errorf("request: %s with Content-Type %q, want POST application/json", r.Method, r.Header.Get("Content-Type"))
	}
	var v struct {
		Text   string `json:"text"`
		Zonerw Event  `json:"zonerw"`
	}
	if err := json.Unmarshal(body, &v); err != nil {
		t.Fatalf("body %s: %v", body, err)
	}
	want := "zonerw: web switched from main to backup (main down after 2 consecutive failures: connect: connection refused)"
	if v.Text != want {
		t.Errorf("text = %q, want %q", v.Text, want)
	}
	if v.Zonerw != switchEvent {
		t.Errorf("event = %+v, want %+v", v.Zonerw, switchEvent)
	}
}

// TestWebhookErrorsHideTheURL: a Slack URL is a credential; errors name
// the host only.
func TestWebhookErrorsHideTheURL(t *testing.T) {
	failing := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "no", http.StatusInternalServerError)
	}))
	defer failing.Close()
	tests := []struct {
		name, url, want string
	}{
		{"500", failing.URL + "/secret-token", "500 Internal Server Error"},
		{"refused", "http://" + closedAddr(t) + "/secret-token", "connection refused"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := (&Webhook{URL: tt.url, Timeout: 5 * time.Second}).Send(context.Background(), switchEvent)
			if err == nil {
				t.Fatal("no error")
			}
			if !strings.Contains(err.Error(), tt.want) || !strings.HasPrefix(err.Error(), "webhook 127.0.0.1:") {
				t.Errorf("error %q: want it to name the host and say %q", err, tt.want)
			}
			if strings.Contains(err.Error(), "secret-token") {
				t.Errorf("error %q leaks the URL's path", err)
			}
		})
	}
}

// closedAddr is a loopback address nothing listens on.
func closedAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

// script writes an executable shell script into a temp dir.
func script(t *testing.T, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "hook.sh")
	if err := os.WriteFile(p, []byte("#!/bin/sh\n"+body), 0o755); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestExecPassesEnvAndStdin(t *testing.T) {
	out := filepath.Join(t.TempDir(), "out")
	hook := script(t, `{ echo "kind=$ZONERW_EVENT_KIND service=$ZONERW_SERVICE from=$ZONERW_FROM to=$ZONERW_TO at=$ZONERW_AT arg=$1"; cat; } > "$OUT"`+"\n")
	t.Setenv("OUT", out)
	if err := (&Exec{Command: []string{hook, "first-arg"}}).Send(context.Background(), switchEvent); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	env, stdin, _ := strings.Cut(string(b), "\n")
	if want := "kind=switch service=web from=main to=backup at=2025-03-01T12:00:00Z arg=first-arg"; env != want {
		t.Errorf("env line %q, want %q", env, want)
	}
	var ev Event
	if err := json.Unmarshal([]byte(stdin), &ev); err != nil || ev != switchEvent {
		t.Errorf("stdin %q decodes to %+v (%v), want %+v", stdin, ev, err, switchEvent)
	}
}

func TestExecFailures(t *testing.T) {
	tests := []struct {
		name, body string
		timeout    time.Duration
		want       string
	}{
		{"exit status", "echo 'webhook relay down' >&2; exit 3\n", 0, "exec hook.sh: exit status 3: webhook relay down"},
		{"timeout", "exec sleep 60\n", 50 * time.Millisecond, "exec hook.sh: did not finish (timeout 50ms): context deadline exceeded"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			x := &Exec{Command: []string{script(t, tt.body), "--token=hunter2"}, Timeout: tt.timeout}
			err := x.Send(context.Background(), switchEvent)
			if err == nil || err.Error() != tt.want {
				t.Errorf("error %v, want %q", err, tt.want)
			}
		})
	}
}

func TestEventText(t *testing.T) {
	tests := []struct {
		ev   Event
		want string
	}{
		{switchEvent, "zonerw: web switched from main to backup (main down after 2 consecutive failures: connect: connection refused)"},
		{Event{Kind: AllDown, Service: "web", Reason: "all 2 targets down"}, "zonerw: every target of web is down (all 2 targets down)"},
		{Event{Kind: FlapHeld, Service: "web", Target: "main"}, "zonerw: web is flapping; held on main"},
		{Event{Kind: SecondaryBehind, Zone: "example.com", Secondary: "127.0.0.2:53"}, "zonerw: secondary 127.0.0.2:53 of example.com has not caught up"},
		{Event{Kind: PublishFailing, Provider: "cf", Reason: "HTTP 500"}, "zonerw: publishing cf failed (HTTP 500)"},
		{Event{Kind: ReloadFailed, Reason: "zonerw.yaml:3: bad"}, "zonerw: config reload failed; still running on the previous config (zonerw.yaml:3: bad)"},
		{Event{Kind: Drift, Provider: "cf", Record: "www.example.com. A", Reason: "holds 203.0.113.99, want 198.51.100.20; reported only (on_drift: report)"},
			"zonerw: www.example.com. A at cf no longer holds what zonerw published (holds 203.0.113.99, want 198.51.100.20; reported only (on_drift: report))"},
	}
	for _, tt := range tests {
		t.Run(string(tt.ev.Kind), func(t *testing.T) {
			if got := tt.ev.Text(); got != tt.want {
				t.Errorf("Text() = %q, want %q", got, tt.want)
			}
		})
	}
}

// TestExecTimeoutKillsWhatItStarted: a hook that times out is killed with
// the processes it started (its process group), not only the shell.
func TestExecTimeoutKillsWhatItStarted(t *testing.T) {
	pidFile := filepath.Join(t.TempDir(), "pid")
	t.Setenv("PIDFILE", pidFile)
	x := &Exec{Command: []string{script(t, "sleep 60 &\necho $! > \"$PIDFILE\"\nwait\n")}, Timeout: 200 * time.Millisecond}
	if err := x.Send(context.Background(), switchEvent); err == nil || !strings.Contains(err.Error(), "did not finish") {
		t.Fatalf("error %v, want a timeout", err)
	}
	waitGone(t, pidFile)
}

// waitGone waits until the process whose PID is in pidFile has ended (a
// zombie left for init to reap counts as ended), or fails after 10 s.
func waitGone(t *testing.T, pidFile string) {
	t.Helper()
	b, err := os.ReadFile(pidFile)
	if err != nil {
		t.Fatal(err)
	}
	pid := strings.TrimSpace(string(b))
	for deadline := time.Now().Add(10 * time.Second); ; {
		stat, err := os.ReadFile("/proc/" + pid + "/stat")
		if err != nil {
			return // gone
		}
		if _, rest, ok := strings.Cut(string(stat), ") "); ok && strings.HasPrefix(rest, "Z") {
			return // ended, not reaped yet
		}
		if time.Now().After(deadline) {
			t.Fatalf("process %s the hook started still runs after its timeout", pid)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
