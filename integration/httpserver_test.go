package integration

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"testing"
)

// webServer is an HTTP server on a fixed loopback address that a test can
// stop and start again on the same address, like a main server that dies
// and comes back.
type webServer struct {
	t    testing.TB
	addr string // ip:port
	srv  *http.Server
	done chan struct{}
}

// startWeb listens on ip:port (port 0 picks one) and answers 200 "ok".
func startWeb(t testing.TB, ip string, port int) *webServer {
	t.Helper()
	w := &webServer{t: t, addr: net.JoinHostPort(ip, fmt.Sprint(port))}
	w.start()
	t.Cleanup(w.stop)
	return w
}

func (w *webServer) start() {
	w.t.Helper()
	ln, err := net.Listen("tcp", w.addr)
	if err != nil {
		w.t.Fatalf("listen %s: %v", w.addr, err)
	}
	w.addr = ln.Addr().String()
	w.srv = &http.Server{Handler: http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		fmt.Fprintln(rw, "ok")
	})}
	w.done = make(chan struct{})
	go func() {
		defer close(w.done)
		if err := w.srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			w.t.Errorf("serve %s: %v", w.addr, err)
		}
	}()
}

// stop closes the listener and every connection, and waits for Serve.
func (w *webServer) stop() {
	if w.srv == nil {
		return
	}
	w.srv.Close()
	<-w.done
	w.srv = nil
}

func (w *webServer) port() int {
	_, p, _ := net.SplitHostPort(w.addr)
	var n int
	fmt.Sscan(p, &n)
	return n
}
