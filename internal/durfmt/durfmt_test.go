package durfmt

import (
	"testing"
	"time"
)

func TestLatency(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		d    time.Duration
		want string
	}{
		{0, "0ns"},
		{150, "150ns"},
		{400, "400ns"},
		{40500, "40.5µs"},
		{90 * time.Microsecond, "90.0µs"},
		{412 * time.Microsecond, "412µs"},
		{2500 * time.Microsecond, "2.50ms"},
		{33100 * time.Microsecond, "33.1ms"},
		{150 * time.Millisecond, "150ms"},
		{1500 * time.Millisecond, "1500ms"},
		{12 * time.Second, "12.00s"}, // the baseline's charts said "12000ms" and the budget's verdict "12.00s"
	} {
		if got := Latency(tt.d); got != tt.want {
			t.Errorf("Latency(%v): got %q, want %q", tt.d, got, tt.want)
		}
	}
}
