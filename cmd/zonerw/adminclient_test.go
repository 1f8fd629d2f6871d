package main

import (
	"context"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
)

// TestAdminCallToAnOlderDaemon: a daemon that does not serve a path (it
// predates the command) gets an error that says so, not "404 Not Found".
func TestAdminCallToAnOlderDaemon(t *testing.T) {
	dir := t.TempDir()
	ln, err := net.Listen("unix", filepath.Join(dir, adminSocket))
	if err != nil {
		t.Fatal(err)
	}
	// The daemon knows /status (which answers 404 itself), not /explain.
	mux := http.NewServeMux()
	mux.HandleFunc("GET /status", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusNotFound)
		w.Write([]byte(`{"error":"no such thing"}`))
	})
	srv := &http.Server{Handler: mux}
	go srv.Serve(ln)
	defer srv.Close()

	err = adminCall(context.Background(), dir, "GET", "/explain/web", nil, nil)
	if err == nil || !strings.Contains(err.Error(), "does not know /explain/web") || !strings.Contains(err.Error(), "restart it") {
		t.Fatalf("err %v", err)
	}

	// A path the daemon knows that answers 404 itself keeps its message.
	if err := adminCall(context.Background(), dir, "GET", "/status", nil, nil); err == nil || err.Error() != "no such thing" {
		t.Fatalf("err %v, want the daemon's own message", err)
	}
}
