package config_test

import "testing"

// BenchmarkLoad loads the fixtures' base and soak overrides.
func BenchmarkLoad(b *testing.B) {
	base, over := fixture(b, "config.yaml"), fixture(b, "config.soak_overrides.yaml")
	for b.Loop() {
		if _, err := opts.Load(base, over); err != nil {
			b.Fatal(err)
		}
	}
}
