package probe

import (
	"context"
	"testing"
	"time"
)

func TestBudgetRoundsToTheCallersTimeout(t *testing.T) {
	start := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	tests := []struct {
		name     string
		deadline time.Time
		want     time.Duration
	}{
		{"2s", start.Add(2*time.Second - 20*time.Microsecond), 2 * time.Second},
		{"200ms", start.Add(200 * time.Millisecond), 200 * time.Millisecond},
		{"1.5s", start.Add(1500*time.Millisecond + 300*time.Microsecond), 1500 * time.Millisecond},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := context.WithDeadline(context.Background(), tt.deadline)
			defer cancel()
			if got := budget(ctx, start); got != tt.want {
				t.Errorf("budget = %v, want %v", got, tt.want)
			}
		})
	}
}
