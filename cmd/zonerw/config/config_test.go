package config

import (
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
)

// Every invalid config, with the exact error a user sees.
func TestInvalidConfigs(t *testing.T) {
	tests := []struct{ file, want string }{
		{"invalid-unknown-key.yaml", `testdata/invalid-unknown-key.yaml:3: unknown key "fal"`},
		{"invalid-bad-ipv4.yaml", `testdata/invalid-bad-ipv4.yaml:5: services[0].targets[0].ipv4: "127.0.0.300" is not an IPv4 address`},
		{"invalid-ipv6-in-ipv4.yaml", `testdata/invalid-ipv6-in-ipv4.yaml:5: services[0].targets[0].ipv4: "2001:db8::1" is not an IPv4 address`},
		{"invalid-no-address.yaml", `testdata/invalid-no-address.yaml:4: services[0].targets[0]: target "main" needs an ipv4 or ipv6 address`},
		{"invalid-duplicate-target.yaml", `testdata/invalid-duplicate-target.yaml:5: services[0].targets[1].name: target "main" is defined twice`},
		{"invalid-check-addresses.yaml", `testdata/invalid-check-addresses.yaml:4: services[0].check.addresses: unknown value "every" (use first or all)`},
		{"invalid-check-type.yaml", `testdata/invalid-check-type.yaml:4: services[0].check.type: unknown check type "icmp" (use http, tcp, smtp, imap, tls, dns or exec)`},
		{"invalid-check-key-for-type.yaml", `testdata/invalid-check-key-for-type.yaml:6: services[0].check.starttls: starttls is for smtp or imap checks`},
		{"invalid-http-port.yaml", `testdata/invalid-http-port.yaml:5: services[0].check.port: port is for tcp, smtp, imap, tls or dns checks; put the port in the url (http://{addr}:8080/)`},
		{"invalid-smtp-host-without-tls.yaml", `testdata/invalid-smtp-host-without-tls.yaml:5: services[0].check.host: host is for the TLS of the check: set starttls or implicit_tls`},
		{"invalid-smtp-both-tls.yaml", `testdata/invalid-smtp-both-tls.yaml:5: services[0].check.starttls: starttls and implicit TLS exclude each other`},
		{"invalid-smtp-ehlo.yaml", `testdata/invalid-smtp-ehlo.yaml:5: services[0].check.ehlo: "backup host" is not a domain name or address literal`},
		{"invalid-imap-port.yaml", `testdata/invalid-imap-port.yaml:5: services[0].check.port: an imap check needs a port from 1 to 65535`},
		{"invalid-tls-cert-min-valid.yaml", `testdata/invalid-tls-cert-min-valid.yaml:6: services[0].check.cert_min_valid: must not be negative`},
		{"invalid-tls-host-port.yaml", `testdata/invalid-tls-host-port.yaml:5: services[0].check.host: "www.example.com:443" has a port: the TLS server name is a name alone`},
		{"invalid-dns-no-name.yaml", `testdata/invalid-dns-no-name.yaml:4: services[0].check.query_name: a dns check needs query_name, the name to ask for`},
		{"invalid-dns-query-type.yaml", `testdata/invalid-dns-query-type.yaml:6: services[0].check.query_type: AXFR cannot be asked for`},
		{"invalid-dns-unknown-type.yaml", `testdata/invalid-dns-unknown-type.yaml:6: services[0].check.query_type: unknown record type "ADDRESS" (use A, AAAA, MX, TXT, NS, SOA, ...)`},
		{"invalid-exec-no-command.yaml", `testdata/invalid-exec-no-command.yaml:4: services[0].check.command: an exec check needs a command (its first element is the program)`},
		{"invalid-exec-port.yaml", `testdata/invalid-exec-port.yaml:6: services[0].check.port: port is for tcp, smtp, imap, tls or dns checks`},
		{"invalid-source.yaml", `testdata/invalid-source.yaml:4: services[0].check.source: "eth0" is not an IP address`},
		{"invalid-source-family.yaml", `testdata/invalid-source-family.yaml:4: services[0].check.source: 127.0.0.53 is IPv4, but target "main" is checked on IPv6 address ::1`},
		{"invalid-probe-source.yaml", `testdata/invalid-probe-source.yaml:1: probe_source: 0.0.0.0 cannot be a source address`},
		{"invalid-probe-source-family.yaml", `testdata/invalid-probe-source-family.yaml:1: probe_source: witness "gateway": ::1 is IPv6, but the witness is at IPv4 address 127.0.0.1`},
		{"invalid-witness-source.yaml", `testdata/invalid-witness-source.yaml:2: witnesses[0].source: "fe80::1%eth0": give the address without a zone`},
		{"invalid-ca-file.yaml", `testdata/invalid-ca-file.yaml:5: services[0].check.ca_file: open testdata/no-such-ca.pem: no such file or directory`},
		{"invalid-url-without-addr.yaml", `testdata/invalid-url-without-addr.yaml:4: services[0].check.url: template lacks {addr}`},
		{"invalid-addr-not-host.yaml", `testdata/invalid-addr-not-host.yaml:4: services[0].check.url: with 127.0.0.1 as {addr}: {addr} must be the URL's host`},
		{"invalid-tcp-without-port.yaml", `testdata/invalid-tcp-without-port.yaml:4: services[0].check.port: a tcp check needs a port from 1 to 65535`},
		{"invalid-bad-timeout.yaml", "testdata/invalid-bad-timeout.yaml:4: services[0].check.timeout: `soon` is not a duration, such as 500ms, 10s or 1h30m"},
		{"invalid-negative-fall.yaml", `testdata/invalid-negative-fall.yaml:3: services[0].fall: must be at least 1, not -1`},
		{"invalid-two-defaults.yaml", `testdata/invalid-two-defaults.yaml:7: services[1].default: only one service may be the default`},
		{"invalid-service-name.yaml", `testdata/invalid-service-name.yaml:2: services[0].name: "web server" is not a valid service name (letters, digits, '.', '_', '-')`},
		{"invalid-dnssec-algorithm.yaml", `testdata/invalid-dnssec-algorithm.yaml:11: zones[0].dnssec.algorithm: "RSASHA1" is not supported (use ECDSAP256SHA256 or ED25519)`},
		{"invalid-dnssec-keys.yaml", `testdata/invalid-dnssec-keys.yaml:11: zones[0].dnssec.keys: "zsk" is not csk or ksk+zsk`},
		{"invalid-dnssec-denial.yaml", `testdata/invalid-dnssec-denial.yaml:11: zones[0].dnssec.denial: "nsec5" is not nsec or nsec3`},
		{"invalid-dnssec-refresh.yaml", `testdata/invalid-dnssec-refresh.yaml:12: zones[0].dnssec.refresh: 48h0m0s must be positive and shorter than signature_validity (24h0m0s)`},
		{"invalid-dnssec-parent.yaml", `testdata/invalid-dnssec-parent.yaml:11: zones[0].dnssec.parents[0]: "192.0.2.53" is not ip:port`},
		{"invalid-dnssec-zsk-lifetime.yaml", `testdata/invalid-dnssec-zsk-lifetime.yaml:11: zones[0].dnssec.zsk_lifetime: only a ZSK rolls on a schedule: set keys: ksk+zsk`},
		{"invalid-serial-policy.yaml", `testdata/invalid-serial-policy.yaml:9: zones[0].serial: unknown serial policy "yyyymmddnn" (use dateserial, unixtime or increment)`},
		{"invalid-zone-missing-output.yaml", `testdata/invalid-zone-missing-output.yaml:6: zones[0].output: the output file is required (or serve the zone: server.listen)`},
		{"invalid-duplicate-zone.yaml", `testdata/invalid-duplicate-zone.yaml:7: zones[1].name: zone "Example.COM." is defined twice`},
		{"invalid-empty.yaml", `testdata/invalid-empty.yaml: the file is empty`},
		{"invalid-not-yaml.yaml", `testdata/invalid-not-yaml.yaml:1: did not find expected ',' or ']'`},
		{"invalid-transfer-unknown-key.yaml", `testdata/invalid-transfer-unknown-key.yaml:12: unknown key "keey"`},
		{"invalid-transfer-empty-entry.yaml", `testdata/invalid-transfer-empty-entry.yaml:12: zones[0].allow_transfer[0]: an entry needs from, key or both`},
		{"invalid-transfer-entry-kind.yaml", `testdata/invalid-transfer-entry-kind.yaml:12: an allow_transfer entry is an address, a CIDR prefix or {from: PREFIX, key: NAME}`},
		{"invalid-transfer-from.yaml", `testdata/invalid-transfer-from.yaml:12: zones[0].allow_transfer[0].from: "10.0.0.0/33" is neither an address nor a CIDR prefix`},
		{"invalid-transfer-key.yaml", `testdata/invalid-transfer-key.yaml:12: zones[0].allow_transfer[0].key: no key named "nokey" under keys`},
		{"invalid-transfer-keys-mixed.yaml", `testdata/invalid-transfer-keys-mixed.yaml:14: zones[0].transfer_keys: cannot be combined with allow_transfer entries that name a key; give each entry its key instead`},
		{"invalid-rate-limit.yaml", `testdata/invalid-rate-limit.yaml:3: server.rate_limit: must not be negative`},
		{"invalid-rate-limit-slip.yaml", `testdata/invalid-rate-limit-slip.yaml:3: server.rate_limit_slip: must be from 0 (drop every limited answer) to 10, not 11`},
		{"invalid-identity.yaml", `testdata/invalid-identity.yaml:3: server.identity: is 256 bytes; at most 255 fit`},
		{"invalid-tcp-max-connections.yaml", `testdata/invalid-tcp-max-connections.yaml:3: server.tcp_max_connections: must not be negative`},
		{"invalid-tcp-max-per-client.yaml", `testdata/invalid-tcp-max-per-client.yaml:3: server.tcp_max_per_client: must not be negative`},
		{"invalid-tcp-idle-timeout.yaml", `testdata/invalid-tcp-idle-timeout.yaml:3: server.tcp_idle_timeout: must not be negative`},
		{"invalid-mode.yaml", `testdata/invalid-mode.yaml:3: services[0].mode: "round-robin": want failover or pool`},
		{"invalid-min-up-mode.yaml", `testdata/invalid-min-up-mode.yaml:3: services[0].min_up: is for mode pool`},
		{"invalid-min-up-targets.yaml", `testdata/invalid-min-up-targets.yaml:4: services[0].min_up: is 3, but the pool has only 2 targets`},
		{"invalid-pool-failback-delay.yaml", `testdata/invalid-pool-failback-delay.yaml:4: services[0].failback_delay: is for mode failover: a pool takes a target back as soon as rise says it is up`},
		{"invalid-confirm-every.yaml", `testdata/invalid-confirm-every.yaml:3: services[0].confirm_every: must not be negative (0 turns confirmation probes off)`},
		{"invalid-drill-every.yaml", `testdata/invalid-drill-every.yaml:3: services[0].drill.every: "mondays at 4" is not a schedule: expected exactly 5 fields, found 3: [mondays at 4]`},
		{"invalid-drill-for.yaml", `testdata/invalid-drill-for.yaml:5: services[0].drill.for: must be positive`},
		{"invalid-drill-pool.yaml", `testdata/invalid-drill-pool.yaml:4: services[0].drill: drills are for mode failover: a pool has no next target to move to`},
		{"invalid-drill-one-target.yaml", `testdata/invalid-drill-one-target.yaml:3: services[0].drill: a drill needs a second target to move to`},
	}
	for _, tc := range tests {
		t.Run(tc.file, func(t *testing.T) {
			_, err := Load(filepath.Join("testdata", tc.file))
			if err == nil {
				t.Fatal("loaded without error")
			}
			if err.Error() != tc.want {
				t.Fatalf("error\n got: %s\nwant: %s", err, tc.want)
			}
		})
	}
}

func TestInvalidServerConfig(t *testing.T) {
	_, err := Load(filepath.Join("testdata", "invalid-server.yaml"))
	want := strings.Join([]string{
		`testdata/invalid-server.yaml:2: server.listen[0]: "127.0.0.1" is not an ip:port address`,
		`testdata/invalid-server.yaml:14: zones[0].allow_transfer[0]: "127.0.0.0/33" is neither an address nor a CIDR prefix`,
		`testdata/invalid-server.yaml:15: zones[0].transfer_keys[0]: no key named "nokey" under keys`,
		`testdata/invalid-server.yaml:17: zones[0].secondaries[0].address: "127.0.0.2" is not an ip:port address`,
		`testdata/invalid-server.yaml:7: services[0].every: "@every soon" is not a schedule: failed to parse duration @every soon: time: invalid duration "soon"`,
	}, "\n")
	if err == nil || err.Error() != want {
		t.Fatalf("error\n got: %v\nwant: %s", err, want)
	}
}

func TestInvalidProviderConfig(t *testing.T) {
	_, err := Load(filepath.Join("testdata", "invalid-provider.yaml"))
	if err == nil {
		t.Fatal("loaded without error")
	}
	t.Log(err)
	for _, want := range []string{
		`testdata/invalid-provider.yaml:6: providers[0]: give exactly one of token_file and token_env (the API token never goes in this file)`,
		`testdata/invalid-provider.yaml:10: providers[0].records[0].ttl: 30s is below Cloudflare's minimum of 60s (or 1s for automatic)`,
		`testdata/invalid-provider.yaml:11: providers[0].records[1].service: no service named "mail"`,
	} {
		if !strings.Contains(err.Error()+"\n", want+"\n") {
			t.Errorf("error lacks line\n%s\ngot:\n%v", want, err)
		}
	}
}

// A master that also serves zones with no failover needs no services.
func TestZonesWithoutServices(t *testing.T) {
	c, err := Load(filepath.Join("testdata", "valid-no-services.yaml"))
	if err != nil || len(c.Services) != 0 || len(c.Zones) != 1 || c.Zones[0].Name != "example.com" {
		t.Fatalf("Load = %+v, %v", c, err)
	}
}

// rfc2136 takes a server and a key from keys, never a token; the HTTP
// providers take neither.

// A record name written fully qualified without the trailing dot is
// refused: the libraries would double the zone (fq.example.com.example.com).
func TestProviderRecordNameWithTheZone(t *testing.T) {
	_, err := Load(filepath.Join("testdata", "invalid-provider-fqdn-name.yaml"))
	want := strings.Join([]string{
		`testdata/invalid-provider-fqdn-name.yaml:12: providers[0].records[1].name: "fq.example.com" ends with the zone's name "example.com", ` +
			`so it would be fq.example.com.example.com; names are relative to the zone: write "fq"`,
		`testdata/invalid-provider-fqdn-name.yaml:13: providers[0].records[2].name: "Example.COM" ends with the zone's name "example.com", ` +
			`so it would be Example.COM.example.com; names are relative to the zone: write "@"`,
	}, "\n")
	if err == nil || err.Error() != want {
		t.Fatalf("error\n got: %v\nwant: %s", err, want)
	}
}
func TestInvalidRFC2136Config(t *testing.T) {
	_, err := Load(filepath.Join("testdata", "invalid-rfc2136.yaml"))
	want := strings.Join([]string{
		`testdata/invalid-rfc2136.yaml:8: providers[0]: rfc2136 signs its updates with a TSIG key: give key, not token_file or token_env`,
		`testdata/invalid-rfc2136.yaml:13: providers[0].key: no key named "nokey" under keys`,
		`testdata/invalid-rfc2136.yaml:12: providers[0].server: "127.0.0.1" is not ADDR:PORT (an IPv6 address goes in brackets: "[2001:db8::1]:53")`,
		`testdata/invalid-rfc2136.yaml:20: providers[1].server: is for type rfc2136; cloudflare takes api_url`,
		`testdata/invalid-rfc2136.yaml:21: providers[1].key: is for type rfc2136; cloudflare takes a token`,
		`testdata/invalid-rfc2136.yaml:24: providers[2].key: is required: the TSIG key that signs the updates`,
	}, "\n")
	if err == nil || err.Error() != want {
		t.Fatalf("error\n got: %v\nwant: %s", err, want)
	}
}

func TestDefaultsAndPaths(t *testing.T) {
	c, err := Load(filepath.Join("testdata", "valid-minimal.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	s := c.Services[0]
	if !s.Default || s.Rise != DefaultRise || s.Fall != DefaultFall || s.Check.Type != "http" ||
		s.Check.URL != DefaultHTTPURL || s.Check.Timeout != 5*time.Second {
		t.Fatalf("service defaults not applied: %+v", s)
	}
	if s.Confirm() != DefaultConfirmEvery || s.Mode != "" || s.MinUp != 0 || s.Drill != nil {
		t.Fatalf("failover defaults not applied: confirm %s, %+v", s.Confirm(), s)
	}
	z := c.Zones[0]
	if z.Serial != "dateserial" || z.Reload.Timeout != DefaultReloadTimeout {
		t.Fatalf("zone defaults not applied: %+v", z)
	}
	if z.Template != filepath.Join("testdata", "t.tmpl") || z.Output != filepath.Join("testdata", "out", "example.com.zone") ||
		c.StateDir != filepath.Join("testdata", "state") {
		t.Fatalf("paths not resolved against the config's directory: %q %q %q", z.Template, z.Output, c.StateDir)
	}
}

// TestServerLimitsAndTransferRules: values written out replace the
// defaults, 0 and false included; allow_transfer takes plain strings and
// {from, key} entries side by side.
func TestServerLimitsAndTransferRules(t *testing.T) {
	c, err := Load(filepath.Join("testdata", "valid-server-limits.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	want := Server{Listen: []string{"127.0.0.1:53"}, RateLimit: 0, RateLimitSlip: DefaultRateLimitSlip, TCPMaxPerClient: 4,
		NSID: "ns1", Identity: "ns1.example.net", Cookies: false}
	if !reflect.DeepEqual(c.Server, want) {
		t.Errorf("server\n got %+v\nwant %+v", c.Server, want)
	}
	rules := []TransferRule{{From: "127.0.0.1", Short: true}, {From: "0.0.0.0/0", Key: "transfer"}}
	if !slices.Equal(c.Zones[0].AllowTransfer, rules) {
		t.Errorf("allow_transfer %+v, want %+v", c.Zones[0].AllowTransfer, rules)
	}
	d, err := Load(filepath.Join("testdata", "valid-minimal.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if s := d.Server; s.RateLimit != DefaultRateLimit || s.RateLimitSlip != DefaultRateLimitSlip || !s.Cookies {
		t.Errorf("server defaults not applied: %+v", s)
	}
}

func TestEveryProblemIsReported(t *testing.T) {
	text := "services:\n  - name: web\n    rise: 0\n    fall: -2\n    targets: []\nzones: []\n"
	_, err := Parse("z.yaml", []byte(text))
	if err == nil {
		t.Fatal("no error")
	}
	for _, want := range []string{"services[0].fall", "services[0].targets", "zones: at least one zone"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q:\n%s", want, err)
		}
	}
}

// TestConfirmEveryAndDrillDefaults: confirm_every: 0 turns confirmation
// off (it is not the default), and a drill without for gets 2m.
func TestConfirmEveryAndDrillDefaults(t *testing.T) {
	text := `services:
  - name: web
    confirm_every: 0s
    drill: {every: "0 4 * * 1"}
    targets:
      - {name: main, ipv4: 127.0.0.10}
      - {name: backup, ipv4: 127.0.0.20}
zones:
  - {name: example.com, template: t.tmpl, output: o.zone}
`
	c, err := Parse("z.yaml", []byte(text))
	if err != nil {
		t.Fatal(err)
	}
	if s := c.Services[0]; s.Confirm() != 0 || s.Drill.For != DefaultDrillFor {
		t.Fatalf("confirm %s, drill %+v", s.Confirm(), s.Drill)
	}
}

// TestVerifyRoundTimes: a check timeout that reaches the probe interval
// is named with its line; one shorter is fine.
func TestVerifyRoundTimes(t *testing.T) {
	c, err := Load(filepath.Join("testdata", "round-timeout-reaches-every.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	want := strings.Join([]string{
		`testdata/round-timeout-reaches-every.yaml:4: services[0].check.timeout: 5s is not shorter than the probe interval 1s (every "@every 1s"): a target that stops answering would be probed only once its probe timed out, not every 1s; make the timeout shorter than the interval`,
		`testdata/round-timeout-reaches-every.yaml:9: services[1].check.timeout: 9.9s + 200ms to kill the command is not shorter than the probe interval 10s (every "@every 10s"): a target that stops answering would be probed only once its probe timed out, not every 10s; make the timeout shorter than the interval`,
	}, "\n")
	if err := c.VerifyRoundTimes(time.Now()); err == nil || err.Error() != want {
		t.Fatalf("error\n got: %v\nwant: %s", err, want)
	}
}

// TestWrongTypeNamesTheKey: a value of the wrong type is reported with its
// line, its key path (in block and flow style) and what it should be.
func TestWrongTypeNamesTheKey(t *testing.T) {
	text := `services:
  - name: web
    check: {type: http, url: "http://{addr}/", timeout: 1sec}
    rise: two
    targets:
      - {name: main, ipv4: 127.0.0.10}
zones:
  - {name: example.com, template: t.tmpl}
`
	_, err := Parse("zonerw.yaml", []byte(text))
	want := "zonerw.yaml:3: services[0].check.timeout: `1sec` is not a duration, such as 500ms, 10s or 1h30m\n" +
		"zonerw.yaml:4: services[0].rise: `two` is not a whole number"
	if err == nil || err.Error() != want {
		t.Fatalf("error:\n%v\nwant\n%s", err, want)
	}
}
