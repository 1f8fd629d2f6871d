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
	DefaultSerialPolicy  = "dateserial"
	DefaultReloadTimeout = 30 * time.Second
	DefaultAlertTimeout  = 10 * time.Second
	DefaultVerifyEvery   = 5 * time.Minute
	// The nameserver's limits; docs/reliability.md says why these.
	DefaultRateLimit     = 200
	DefaultRateLimitSlip = 2
)

// serverDefaults are the server settings filled before decoding, so that
// a value written in the file, 0 and false included, replaces them.
func serverDefaults() Server {
	return Server{RateLimit: DefaultRateLimit, RateLimitSlip: DefaultRateLimitSlip, Cookies: true}
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
		if s.Check.Type == "http" && s.Check.URL == "" {
			s.Check.URL = DefaultHTTPURL
		}
		if s.Every == "" {
			s.Every = DefaultEvery
		}
		if s.Rise == 0 {
			s.Rise = DefaultRise
		}
		if s.Fall == 0 {
			s.Fall = DefaultFall
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
		if c.Witnesses[i].Timeout == 0 {
			c.Witnesses[i].Timeout = DefaultCheckTimeout
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
