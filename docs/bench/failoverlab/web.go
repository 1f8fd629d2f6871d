package main

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
)

// web answers 200 "ok" on every address until SIGTERM or SIGINT: a lab
// target that the script kills (its port closes) and starts again.
func web(addrs []string) error {
	if len(addrs) == 0 {
		return errors.New("web: give at least one ADDR:PORT")
	}
	h := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { fmt.Fprintln(w, "ok") })
	errs := make(chan error, len(addrs))
	for _, a := range addrs {
		ln, err := net.Listen("tcp", a)
		if err != nil {
			return fmt.Errorf("web: %w", err)
		}
		go func() { errs <- http.Serve(ln, h) }()
	}
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGTERM, syscall.SIGINT)
	select {
	case <-sig:
		return nil
	case err := <-errs:
		return fmt.Errorf("web: %w", err)
	}
}
