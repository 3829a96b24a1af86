package integration

import (
	"io"
	"net/http"
	"net/url"
	"testing"
	"time"
)

func urlEscape(s string) string { return url.QueryEscape(s) }

// getBody GETs url and returns its body ("" on any error); t may be nil.
func getBody(t testing.TB, u string) string {
	if t != nil {
		t.Helper()
	}
	c := &http.Client{Timeout: 5 * time.Second}
	resp, err := c.Get(u)
	if err != nil {
		return ""
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return string(b)
}

func sleepTick() { time.Sleep(20 * time.Millisecond) }
