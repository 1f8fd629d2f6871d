package dnsserver

import (
	"testing"
	"time"
)

func TestIdleTimeoutShrinks(t *testing.T) {
	const idle, floor = 10 * time.Second, 500 * time.Millisecond
	tests := []struct {
		open int
		want time.Duration
	}{
		{0, idle}, {128, idle}, // up to half the slots: the full timeout
		{129, idle * 254 / 256}, {192, idle / 2}, {240, idle / 8},
		{250, floor}, {256, floor}, // near full: the floor
	}
	for _, tt := range tests {
		if got := idleTimeout(idle, floor, tt.open, 256); got != tt.want {
			t.Errorf("%d of 256 open: %s, want %s", tt.open, got, tt.want)
		}
	}
}
