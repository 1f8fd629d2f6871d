// Package config reads zonerw.yaml: strict decoding (an unknown key is an
// error with its line), defaults filled in one place (defaults.go), and
// semantic validation whose errors name the file, line and key path.
package config

import (
	"crypto/x509"
	"time"
)

// Config is the whole of zonerw.yaml after defaults and validation.
type Config struct {
	// StateDir holds state.json and the lock file. Relative paths are
	// resolved against the directory of the config file.
	StateDir string    `yaml:"state_dir"`
	Services []Service `yaml:"services"`
	Zones    []Zone    `yaml:"zones"`
	// Server configures `zonerw serve`, the daemon with the embedded
	// nameserver. Cron mode ignores it.
	Server Server `yaml:"server"`
	// Keys are TSIG keys, referred to by name from zones.
	Keys []Key `yaml:"keys"`
	// Providers are DNS hosting APIs (Cloudflare, Gandi) whose records
	// are changed to follow the services, for zones not served here.
	Providers []Provider `yaml:"providers"`
	// Alerts are told about switches and failures.
	Alerts Alerts `yaml:"alerts"`
	// Witnesses are hosts this checker must be able to reach. When targets
	// look down and every witness fails too, zonerw is the one cut off and
	// changes nothing.
	Witnesses []Witness `yaml:"witnesses"`
	// ProbeSource is the local address every check and witness binds
	// unless it gives its own source; empty: the kernel picks.
	ProbeSource string `yaml:"probe_source"`

	// File is the path the config was read from (not a YAML key).
	File string `yaml:"-"`
	// loc finds the line of a key, for errors found after loading.
	loc *locator
}

// Service is one name the failover keeps pointed at a live target.
type Service struct {
	Name string `yaml:"name"`
	// Default marks the service a bare @IP@ marker means. With exactly one
	// service configured it is the default without saying so.
	Default bool  `yaml:"default"`
	Check   Check `yaml:"check"`
	// Every is the daemon's probe schedule, a cron spec ("@every 2s",
	// "*/1 * * * *"). Cron mode probes once per run instead.
	Every   string   `yaml:"every"`
	Rise    int      `yaml:"rise"`
	Fall    int      `yaml:"fall"`
	Targets []Target `yaml:"targets"`

	// FailbackDelay: a higher-priority target must have been up this long
	// before the service moves back to it (default 0: at once).
	FailbackDelay time.Duration `yaml:"failback_delay"`
	// MaxSwitches in SwitchWindow: the flap governor (off when either is 0).
	MaxSwitches  int           `yaml:"max_switches"`
	SwitchWindow time.Duration `yaml:"switch_window"`
	// FlapRelease: "auto" (default) or "manual" (only zonerw unpin ends a hold).
	FlapRelease string `yaml:"flap_release"`
	// AllDown: what to serve when every target is down: "keep" (default),
	// "first" or "all".
	AllDown string `yaml:"all_down"`
	// FailoverTTL, when set, is the TTL of records rendered from this
	// service's markers while it is not on its first target.
	FailoverTTL time.Duration `yaml:"failover_ttl"`
	// Mode: "failover" (default: the first target that is up) or "pool"
	// (every target that is up).
	Mode string `yaml:"mode"`
	// MinUp: a pool keeps serving at least this many targets while one is
	// up, keeping members that went down (default 0: none).
	MinUp int `yaml:"min_up"`
	// ConfirmEvery: after a probe result that disagrees with a target's
	// state, its next probes come at this interval until rise or fall
	// decides (default DefaultConfirmEvery; 0 turns it off). Read it with
	// Confirm.
	ConfirmEvery *time.Duration `yaml:"confirm_every"`
	// Drill schedules failover drills (daemon only); nil: none.
	Drill *Drill `yaml:"drill"`
}

// Drill is a service's schedule of failover drills.
type Drill struct {
	Every string        `yaml:"every"` // cron spec
	For   time.Duration `yaml:"for"`   // how long each holds the next target
}

// Confirm is the service's confirmation interval: confirm_every, or the
// default when it is not set.
func (s Service) Confirm() time.Duration {
	if s.ConfirmEvery == nil {
		return DefaultConfirmEvery
	}
	return *s.ConfirmEvery
}

// Check says how a target is probed.
type Check struct {
	// Type is http, tcp, smtp, imap, tls, dns or exec.
	Type    string        `yaml:"type"`
	Timeout time.Duration `yaml:"timeout"`
	// Addresses says which of a target's addresses are checked: "first"
	// (the default: its IPv4 address, else its IPv6 one) or "all" (both;
	// the target is up only while both answer).
	Addresses string `yaml:"addresses"`
	// Source is the local address the probes bind (default probe_source;
	// empty: the kernel picks). exec checks get it in ZONERW_SOURCE.
	Source string `yaml:"source"`

	// HTTP(S) checks.
	URL          string `yaml:"url"`
	ExpectStatus []int  `yaml:"expect_status"`
	BodyContains string `yaml:"body_contains"`

	// Checks that speak TLS: https URLs, smtp and imap with starttls or
	// implicit_tls, tls. Host is also the HTTP Host header.
	Host               string `yaml:"host"`
	InsecureSkipVerify bool   `yaml:"insecure_skip_verify"`
	// CAFile is a PEM file of the authorities to trust instead of the
	// system's (a private CA).
	CAFile string `yaml:"ca_file"`
	// CertMinValid fails smtp, imap and tls checks whose certificate
	// expires within this long (0: off).
	CertMinValid time.Duration `yaml:"cert_min_valid"`

	// Port for tcp, smtp, imap, tls and dns checks (defaults: smtp 25 or
	// 465 with implicit_tls, imap 143 or 993, tls 443, dns 53).
	Port int `yaml:"port"`

	// smtp and imap checks.
	StartTLS    bool `yaml:"starttls"`
	ImplicitTLS bool `yaml:"implicit_tls"`
	// EHLO is the name an smtp check gives (default: its own address
	// as a literal, "[192.0.2.5]").
	EHLO string `yaml:"ehlo"`

	// dns checks: the question, and whether to ask for recursion.
	QueryName string `yaml:"query_name"`
	QueryType string `yaml:"query_type"` // default A
	Recurse   bool   `yaml:"recurse"`

	// exec checks: the program and its arguments, run without a shell.
	Command []string `yaml:"command"`

	// RootCAs holds the certificates of CAFile, read by Load (not a key).
	RootCAs *x509.CertPool `yaml:"-"`
	// sourceInherited: Source was filled from probe_source.
	sourceInherited bool
}

// Provider is one zone at a DNS hosting API.
type Provider struct {
	Name string `yaml:"name"` // a label for logs, status and metrics
	Type string `yaml:"type"` // "cloudflare", "gandi" or "rfc2136"
	Zone string `yaml:"zone"`
	// The API token (cloudflare, gandi) is read from a file or an
	// environment variable, never from this file: exactly one of
	// token_file and token_env.
	TokenFile string `yaml:"token_file"`
	TokenEnv  string `yaml:"token_env"`
	// APIURL replaces the API's base URL (Gandi's sandbox, tests).
	APIURL string `yaml:"api_url"`
	// Server is the zone's primary that takes dynamic updates (rfc2136),
	// "ADDR:PORT".
	Server string `yaml:"server"`
	// Key names the entry of keys (a TSIG key file) that signs the
	// updates (rfc2136).
	Key     string           `yaml:"key"`
	Records []ProviderRecord `yaml:"records"`
	// OnDrift: "fix" (default) puts a record changed by hand back;
	// "report" only reports it.
	OnDrift string `yaml:"on_drift"`
	// VerifyEvery is how often the daemon reads the records back.
	VerifyEvery time.Duration `yaml:"verify_every"`
	// Timeout bounds one API request.
	Timeout time.Duration `yaml:"timeout"`
}

// ProviderRecord is one record set that carries a service's address.
type ProviderRecord struct {
	Name    string        `yaml:"name"` // relative to the zone, "@" for the apex
	Type    string        `yaml:"type"` // A or AAAA
	Service string        `yaml:"service"`
	TTL     time.Duration `yaml:"ttl"`
}

// Witness is one host the isolation guard checks, by TCP connect.
type Witness struct {
	Name    string        `yaml:"name"`
	Address string        `yaml:"address"` // ip:port
	Timeout time.Duration `yaml:"timeout"`
	// Source is the local address the check binds (default probe_source).
	Source string `yaml:"source"`
	// sourceInherited: Source was filled from probe_source.
	sourceInherited bool
}

// Target is one place a service can point at, in priority order.
type Target struct {
	Name string `yaml:"name"`
	IPv4 string `yaml:"ipv4"`
	IPv6 string `yaml:"ipv6"`
}

// Zone is one zone file rendered from a template.
type Zone struct {
	Name         string `yaml:"name"`
	Template     string `yaml:"template"`
	Output       string `yaml:"output"`
	Serial       string `yaml:"serial"`
	AllowInclude bool   `yaml:"allow_include"`
	Reload       Reload `yaml:"reload"`

	// The daemon's embedded nameserver: who may transfer the zone and
	// which secondaries get a NOTIFY after each change. A transfer is
	// allowed when one allow_transfer entry admits it (its address, and
	// its key when it names one). transfer_keys is the older way to ask
	// for a key: with entries that name none, a transfer then needs an
	// entry's address and one of the keys; alone, one of the keys from
	// anywhere.
	AllowTransfer []TransferRule `yaml:"allow_transfer"`
	TransferKeys  []string       `yaml:"transfer_keys"`
	Secondaries   []Secondary    `yaml:"secondaries"`

	// DNSSEC signs the zone (see dnssec.go).
	DNSSEC DNSSEC `yaml:"dnssec"`
}

// Secondary is a nameserver that transfers a zone from zonerw serve.
type Secondary struct {
	Address string `yaml:"address"` // ip:port
	Key     string `yaml:"key"`     // TSIG key name, "" for none
}

// Server is the daemon's listener configuration.
type Server struct {
	// Listen lists ip:port addresses; each is served over UDP and TCP.
	Listen []string `yaml:"listen"`
	// HTTP is the admin HTTP listener (ip:port): /metrics, /healthz,
	// /readyz and the status page. Empty: none.
	HTTP string `yaml:"http"`
	// Coalesce, when set, waits that long after a decision so that the
	// decisions of several rounds make one version. The default, 0,
	// publishes each round's decisions as soon as the round is decided.
	Coalesce time.Duration `yaml:"coalesce"`

	// The nameserver under load (docs/reliability.md). Parse fills the
	// defaults before decoding, so that 0 written out means 0.

	// RateLimit is the UDP answers per second each client /24 (IPv4) or
	// /56 (IPv6) gets of each kind of answer; 0 turns the limit off.
	RateLimit int `yaml:"rate_limit"`
	// RateLimitSlip sends every Nth limited answer truncated, so that a
	// real client retries over TCP; 0 drops them all.
	RateLimitSlip int `yaml:"rate_limit_slip"`
	// TCPMaxConnections caps each listener's TCP connections, and
	// TCPMaxPerClient those of one client address (0: the default).
	TCPMaxConnections int `yaml:"tcp_max_connections"`
	TCPMaxPerClient   int `yaml:"tcp_max_per_client"`
	// TCPIdleTimeout closes a TCP connection idle that long; it shrinks
	// as the connections fill up (0: the default).
	TCPIdleTimeout time.Duration `yaml:"tcp_idle_timeout"`
	// NSID is sent to clients that ask for it (RFC 5001); empty: none.
	NSID string `yaml:"nsid"`
	// Identity answers CHAOS TXT id.server and hostname.bind; Version
	// answers version.bind and version.server. Empty: REFUSED.
	Identity string `yaml:"identity"`
	Version  string `yaml:"version"`
	// Cookies turns DNS server cookies (RFC 7873, RFC 9018) on or off.
	Cookies bool `yaml:"cookies"`
}

// TransferRule is one allow_transfer entry: an address or CIDR prefix
// (written as a plain string), or {from: PREFIX, key: NAME}. A missing
// from means any address; a missing key, none needed.
type TransferRule struct {
	From string `yaml:"from"`
	Key  string `yaml:"key"`
	// Short is set for an entry written as a plain string.
	Short bool `yaml:"-"`
}

// Alerts lists where events go. Each is retried with backoff; a failed
// alert is logged and counted and never delays a failover.
type Alerts struct {
	Webhooks []Webhook  `yaml:"webhooks"`
	Exec     []ExecHook `yaml:"exec"`
}

// Webhook receives each event as a JSON POST (with a Slack/Mattermost
// compatible "text" field).
type Webhook struct {
	URL     string        `yaml:"url"`
	Timeout time.Duration `yaml:"timeout"`
}

// ExecHook runs a command per event, with the event in environment
// variables and as JSON on stdin.
type ExecHook struct {
	Command []string      `yaml:"command"`
	Timeout time.Duration `yaml:"timeout"`
}

// Key is a TSIG key kept in a BIND-style key file (what tsig-keygen
// writes), so the secret never sits in zonerw.yaml.
type Key struct {
	Name string `yaml:"name"`
	File string `yaml:"file"`
}

// Reload is the command that makes an external nameserver pick up a
// rewritten zone file, e.g. ["nsd-control", "reload", "example.com"].
type Reload struct {
	Command []string      `yaml:"command"`
	Timeout time.Duration `yaml:"timeout"`
}
