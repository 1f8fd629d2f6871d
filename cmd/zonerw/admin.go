package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"time"
)

// adminSocket is the daemon's control socket in the state directory. Only
// its owner may connect (mode 0600): whoever can write the state can also
// steer the daemon.
const adminSocket = "admin.sock"

// pinRequest is the body of POST /pin.
type pinRequest struct {
	Service string    `json:"service"`
	Target  string    `json:"target"`
	Until   time.Time `json:"until,omitzero"`
	Reason  string    `json:"reason"`
}

type adminServer struct {
	ln   net.Listener
	srv  *http.Server
	done chan struct{}
}

// startAdmin serves the control API on a unix socket at path.
func startAdmin(path string, d *daemon, log *slog.Logger) (*adminServer, error) {
	if err := os.Remove(path); err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("admin socket: %w", err)
	}
	ln, err := net.Listen("unix", path)
	if err != nil {
		return nil, fmt.Errorf("admin socket: %w", err)
	}
	if err := os.Chmod(path, 0o600); err != nil {
		ln.Close()
		return nil, fmt.Errorf("admin socket: %w", err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /force", func(w http.ResponseWriter, r *http.Request) {
		err := d.reload(true)
		if err != nil {
			d.log.Error("--force failed", "err", err)
		}
		answer(w, err, nil)
	})
	mux.HandleFunc("POST /reload", func(w http.ResponseWriter, r *http.Request) {
		err := d.reload(false)
		if err != nil {
			d.log.Error("config reload failed", "err", err, "via", "zonerw reload")
		}
		answer(w, err, nil)
	})
	mux.HandleFunc("POST /pin", func(w http.ResponseWriter, r *http.Request) {
		var p pinRequest
		if err := json.NewDecoder(r.Body).Decode(&p); err != nil {
			http.Error(w, "bad request: "+err.Error(), http.StatusBadRequest)
			return
		}
		answer(w, d.pin(p.Service, p.Target, p.Until, p.Reason), nil)
	})
	mux.HandleFunc("POST /unpin/{service}", func(w http.ResponseWriter, r *http.Request) {
		answer(w, d.unpin(r.PathValue("service")), nil)
	})
	mux.HandleFunc("GET /status", func(w http.ResponseWriter, r *http.Request) {
		answer(w, nil, d.status())
	})
	mux.HandleFunc("GET /explain/{service}", func(w http.ResponseWriter, r *http.Request) {
		v, err := d.explain(r.PathValue("service"))
		answer(w, err, v)
	})
	registerDrill(mux, d)
	d.dnssecRoutes(mux) // dnssecd.go
	a := &adminServer{ln: ln, srv: &http.Server{Handler: mux, ErrorLog: slog.NewLogLogger(log.Handler(), slog.LevelWarn)}, done: make(chan struct{})}
	go func() {
		defer close(a.done)
		if err := a.srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Error("admin socket", "err", err)
		}
	}()
	return a, nil
}

// answer writes {"error": ...} with status 500, or v as JSON.
func answer(w http.ResponseWriter, err error, v any) {
	w.Header().Set("Content-Type", "application/json")
	if err != nil {
		w.WriteHeader(http.StatusInternalServerError)
		json.NewEncoder(w).Encode(map[string]string{"error": err.Error()})
		return
	}
	if v == nil {
		v = map[string]string{"result": "ok"}
	}
	json.NewEncoder(w).Encode(v)
}

func (a *adminServer) close() {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	a.srv.Shutdown(ctx)
	<-a.done
}
