package worstcase

import (
	"bytes"
	"testing"
	"time"

	"github.com/zonerw/zonerw/cmd/zonerw/config"
	"github.com/zonerw/zonerw/templates"
)

// A service carried only by a provider record counts that record's TTL
// (Cloudflare's automatic one as 300s); without confirmation probes the
// probe term is fall whole rounds and a probe's time.
func TestPrintProviderOnly(t *testing.T) {
	noConfirm := time.Duration(0)
	cfg := &config.Config{
		Services: []config.Service{{Name: "web", Every: "@every 10s", Fall: 2, ConfirmEvery: &noConfirm,
			Check: config.Check{Type: "http", Timeout: 2 * time.Second}}},
		Providers: []config.Provider{{Name: "cf", Type: "cloudflare",
			Records: []config.ProviderRecord{{Name: "www", Type: "A", Service: "web", TTL: time.Second}}}},
	}
	var b bytes.Buffer
	Print(&b, cfg, nil, map[string]templates.Addrs{})
	want := "service web: clients may see a dead target for up to 5m23s under zonerw serve = every 10s × fall 2 + timeout 2s + NOTIFY/transfer ~1s + TTL 300s; " +
		"in cron mode put your cron interval × 2 in place of the probe term\n"
	if b.String() != want {
		t.Errorf("got  %q\nwant %q", b.String(), want)
	}
}
