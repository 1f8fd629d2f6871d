package config

import "testing"

// A change of listen is told apart from one of the nameserver's limits;
// either needs a restart.
func TestRestartNeeded(t *testing.T) {
	a := Server{Listen: []string{"127.0.0.1:53"}, RateLimit: 200}
	b := a
	b.Listen = []string{"127.0.0.1:54"}
	if serverLimitsChanged(a, b) {
		t.Errorf("a change of listen counts as one of the limits")
	}
	b.RateLimit = 100
	if !serverLimitsChanged(a, b) {
		t.Errorf("rate_limit changed unnoticed")
	}
	if got := RestartNeeded(&Config{Server: a}, &Config{Server: b}); got != "server.listen" {
		t.Errorf("listen and rate_limit changed: %q, want server.listen first", got)
	}
	b.Listen = a.Listen
	if got := RestartNeeded(&Config{Server: a}, &Config{Server: b}); got != "the nameserver's limits under server" {
		t.Errorf("rate_limit changed: %q", got)
	}
	if got := RestartNeeded(&Config{Server: a}, &Config{Server: a}); got != "" {
		t.Errorf("nothing changed: %q", got)
	}
}
