package integration

import (
	"fmt"
	"math/rand/v2"
	"net"
	"net/http"
	"path/filepath"
	"slices"
	"testing"
	"time"
)

// The failover lab: zonerw serve with the shipped probe defaults (every
// 10s, fall 3, rise 2, timeout 5s, confirm_every 1s), a main and a backup
// web server and an NSD secondary on loopback. Each iteration breaks main
// at a random moment of the probe cycle and measures how long until NSD
// serves the backup, then brings main back and waits for NSD to serve it
// again. The figures go in docs/BENCHMARKS.md:
//
//	go test -run '^$' -bench 'BenchmarkFailover' -benchtime 9x -timeout 30m ./integration

// BenchmarkFailoverCrashedMain: main's web server stops (connections
// refused, as when it crashed).
func BenchmarkFailoverCrashedMain(b *testing.B) { benchFailover(b, false) }

// BenchmarkFailoverHungMain: main's web server accepts but never answers
// (each probe waits out its 5s timeout, as for a server that vanished).
func BenchmarkFailoverHungMain(b *testing.B) { benchFailover(b, true) }

func benchFailover(b *testing.B, hang bool) {
	needTool(b, "nsd", "nsd")
	main := startWeb(b, "127.0.0.11", 0)
	startWeb(b, "127.0.0.12", main.port())
	dnsPort := freePort(b, "127.0.0.1")
	primary := fmt.Sprintf("127.0.0.1:%d", dnsPort)
	nsd := newNSD(b, primary)
	dir := b.TempDir()
	cfg := filepath.Join(dir, "zonerw.yaml")
	writeFile(b, cfg, fmt.Sprintf(`state_dir: state
server:
  listen: ["%s"]
services:
  - name: web
    check: {type: http, url: "http://{addr}:%d/"}
    targets:
      - {name: main, ipv4: 127.0.0.11}
      - {name: backup, ipv4: 127.0.0.12}
zones:
  - name: example.com
    template: example.com.tmpl
    allow_transfer: ["127.0.0.0/8"]
    secondaries: [{address: "%s"}]
`, primary, main.port(), nsd.addr))
	writeFile(b, filepath.Join(dir, "example.com.tmpl"), cronTemplate)
	startServe(b, cfg)
	waitForA(b, primary, "www.example.com", "127.0.0.11", 30*time.Second)
	nsd.start(b)
	var took []time.Duration
	for b.Loop() {
		waitForA(b, nsd.addr, "www.example.com", "127.0.0.11", 60*time.Second)
		// A random moment of the 10s cycle.
		time.Sleep(time.Duration(rand.Int64N(int64(10 * time.Second))))
		stopped := time.Now()
		main.stop()
		var hung *hangServer
		if hang {
			hung = startHang(b, main.addr)
		}
		waitForA(b, nsd.addr, "www.example.com", "127.0.0.12", 90*time.Second)
		took = append(took, time.Since(stopped))
		if hung != nil {
			hung.stop()
		}
		main.start()
	}
	slices.Sort(took)
	b.ReportMetric(took[len(took)/2].Seconds(), "s-median")
	b.ReportMetric(took[0].Seconds(), "s-min")
	b.ReportMetric(took[len(took)-1].Seconds(), "s-max")
	var ss []string
	for _, d := range took {
		ss = append(ss, d.Round(10*time.Millisecond).String())
	}
	b.Logf("main broken -> nsd serves the backup, sorted: %v", ss)
}

// hangServer accepts HTTP requests on an address and never answers them.
type hangServer struct {
	srv     *http.Server
	release chan struct{}
	done    chan struct{}
}

func startHang(b *testing.B, addr string) *hangServer {
	b.Helper()
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		b.Fatalf("listen %s: %v", addr, err)
	}
	h := &hangServer{release: make(chan struct{}), done: make(chan struct{})}
	h.srv = &http.Server{Handler: http.HandlerFunc(func(http.ResponseWriter, *http.Request) { <-h.release })}
	go func() {
		defer close(h.done)
		h.srv.Serve(ln)
	}()
	b.Cleanup(h.stop)
	return h
}

func (h *hangServer) stop() {
	select {
	case <-h.release:
		return
	default:
	}
	close(h.release)
	h.srv.Close()
	<-h.done
}
