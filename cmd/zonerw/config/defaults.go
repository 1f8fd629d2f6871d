package config

import "time"

// The defaults, all in one place. README's config reference lists them too.
const (
	DefaultStateDir      = "state"
	DefaultCheckType     = "http"
	DefaultCheckTimeout  = 5 * time.Second
	DefaultHTTPURL       = "http://{addr}/index.html"
	DefaultEvery         = "@every 10s"
	DefaultRise          = 2
	DefaultFall          = 3
	DefaultConfirmEvery  = time.Second
	DefaultDrillFor      = 2 * time.Minute
	DefaultSerialPolicy  = "dateserial"
	DefaultReloadTimeout = 30 * time.Second
	DefaultAlertTimeout  = 10 * time.Second
	DefaultVerifyEvery   = 5 * time.Minute
	DefaultQueryType     = "A"
	// The nameserver's limits; docs/reliability.md says why these.
	DefaultRateLimit     = 200
	DefaultRateLimitSlip = 2
)

// serverDefaults are the server settings filled before decoding, so that
// a value written in the file, 0 and false included, replaces them.
func serverDefaults() Server {
	return Server{RateLimit: DefaultRateLimit, RateLimitSlip: DefaultRateLimitSlip, Cookies: true}
}

// defaultPorts are the ports of the check types that have one; the second
// is with implicit_tls.
var defaultPorts = map[string][2]int{
	"smtp": {25, 465},
	"imap": {143, 993},
	"tls":  {443, 443},
	"dns":  {53, 53},
}

// applyDefaults fills every key the user left out.
func applyDefaults(c *Config) {
	if c.StateDir == "" {
		c.StateDir = DefaultStateDir
	}
	for i := range c.Services {
		s := &c.Services[i]
		if s.Check.Type == "" {
			s.Check.Type = DefaultCheckType
		}
		if s.Check.Timeout == 0 {
			s.Check.Timeout = DefaultCheckTimeout
		}
		applyCheckDefaults(&s.Check, c.ProbeSource)
		if s.Every == "" {
			s.Every = DefaultEvery
		}
		if s.Rise == 0 {
			s.Rise = DefaultRise
		}
		if s.Fall == 0 {
			s.Fall = DefaultFall
		}
		if s.ConfirmEvery == nil {
			d := DefaultConfirmEvery
			s.ConfirmEvery = &d
		}
		if s.Drill != nil && s.Drill.For == 0 {
			s.Drill.For = DefaultDrillFor
		}
	}
	for i := range c.Alerts.Webhooks {
		if c.Alerts.Webhooks[i].Timeout == 0 {
			c.Alerts.Webhooks[i].Timeout = DefaultAlertTimeout
		}
	}
	for i := range c.Alerts.Exec {
		if c.Alerts.Exec[i].Timeout == 0 {
			c.Alerts.Exec[i].Timeout = DefaultAlertTimeout
		}
	}
	for i := range c.Providers {
		if c.Providers[i].VerifyEvery == 0 {
			c.Providers[i].VerifyEvery = DefaultVerifyEvery
		}
	}
	for i := range c.Witnesses {
		w := &c.Witnesses[i]
		if w.Timeout == 0 {
			w.Timeout = DefaultCheckTimeout
		}
		if w.Source == "" && c.ProbeSource != "" {
			w.Source, w.sourceInherited = c.ProbeSource, true
		}
	}
	if len(c.Services) == 1 {
		c.Services[0].Default = true
	}
	for i := range c.Zones {
		z := &c.Zones[i]
		if z.Serial == "" {
			z.Serial = DefaultSerialPolicy
		}
		if z.Reload.Timeout == 0 {
			z.Reload.Timeout = DefaultReloadTimeout
		}
	}
}

// applyCheckDefaults fills a check's type-dependent defaults and its
// source from probe_source.
func applyCheckDefaults(ch *Check, probeSource string) {
	if ch.Type == "http" && ch.URL == "" {
		ch.URL = DefaultHTTPURL
	}
	if ports, ok := defaultPorts[ch.Type]; ok && ch.Port == 0 {
		ch.Port = ports[0]
		if ch.ImplicitTLS {
			ch.Port = ports[1]
		}
	}
	if ch.Type == "dns" && ch.QueryType == "" {
		ch.QueryType = DefaultQueryType
	}
	if ch.Source == "" && probeSource != "" {
		ch.Source, ch.sourceInherited = probeSource, true
	}
}
