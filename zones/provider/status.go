package provider

import (
	"net/netip"
	"slices"
	"sync"
	"time"
)

// Status is what a Publisher last knew, for `zonerw status`, `zonerw
// explain`, metrics and the state file: it is plain data, JSON-encoded
// as it is, and Restore takes it back after a restart.
type Status struct {
	Name     string `json:"name"`
	Kind     Kind   `json:"kind,omitempty"`
	Zone     string `json:"zone,omitempty"`
	Endpoint string `json:"endpoint,omitempty"` // the API base URL, or the RFC2136 server
	// LastSuccess is the end of the last Publish or Reconcile that
	// returned no error.
	LastSuccess time.Time `json:"last_success,omitzero"`
	// LastVerified is when the records were last read from the provider.
	LastVerified time.Time `json:"last_verified,omitzero"`
	LastError    string    `json:"last_error,omitempty"` // empty after a success
	LastErrorAt  time.Time `json:"last_error_at,omitzero"`
	// FailingSince is when the failures since the last success began
	// (the first attempt of them that failed); zero after a success.
	FailingSince time.Time `json:"failing_since,omitzero"`
	// Failure is Classify(last error).String(): "credentials",
	// "zone_missing", ...; empty after a success.
	Failure string `json:"failure,omitempty"`
	// NextAttempt is when the caller will try again after a failure, by
	// its retry schedule (RetryDelay). The Publisher never sets it.
	NextAttempt time.Time      `json:"next_attempt,omitzero"`
	Records     []RecordStatus `json:"records,omitempty"` // in Config.Records order
}

// RecordStatus is one record's wanted and last-read addresses.
type RecordStatus struct {
	Name    string `json:"name"`
	Type    string `json:"type"`
	Service string `json:"service"`
	// Want is what was last asked for; nil before the first call.
	Want []netip.Addr `json:"want,omitempty"`
	// Live is what the provider held when last read (VerifiedAt).
	Live       []netip.Addr `json:"live,omitempty"`
	Read       bool         `json:"read,omitempty"` // Live has been read at least once
	VerifiedAt time.Time    `json:"verified_at,omitzero"`
	// Unknown says a change was sent to the record after Live was read
	// and the read after it failed: what it holds now is not known.
	Unknown bool `json:"unknown,omitempty"`
	Proxied bool `json:"proxied,omitempty"` // Cloudflare: a value is proxied
	// Drift is the drift the last read-back found and left standing (on
	// drift "report", or a put-back that failed), as Drift.String() says
	// it; empty while the record holds what was published. DriftSince is
	// when that drift was first found.
	Drift      string    `json:"drift,omitempty"`
	DriftSince time.Time `json:"drift_since,omitzero"`
	// DriftToldAt is when the standing drift was last logged and printed
	// (Drift.Tell): at once, then hourly.
	DriftToldAt time.Time `json:"drift_told_at,omitzero"`
}

// InSync reports whether the record was last seen holding exactly Want.
func (r RecordStatus) InSync() bool {
	return r.Read && !r.Unknown && r.Want != nil && slices.Equal(r.Want, r.Live)
}

// Pending reports whether a change was asked for that the provider was
// not last seen holding: a publish that has not landed (yet). A standing
// drift is not pending: the publish landed and was changed afterwards.
func (r RecordStatus) Pending() bool { return r.Want != nil && !r.InSync() && r.Drift == "" }

// Status returns a copy of the Publisher's status.
func (p *Publisher) Status() Status { return p.status.get() }

// Restore starts the status from s, as saved by an earlier process, when
// this Publisher has not talked to the provider yet; a record of s is
// taken when the same name and type is still configured. It lets `zonerw
// status` show the live values a cron run read minutes ago.
func (p *Publisher) Restore(s Status) {
	p.status.restore(s)
}

// statusBox guards a Status.
type statusBox struct {
	mu      sync.Mutex
	s       Status
	touched bool // a call has updated s
}

func (b *statusBox) init(cfg Config) {
	b.s = Status{Name: cfg.Name, Kind: cfg.Kind, Zone: cfg.Zone, Endpoint: endpoint(cfg)}
	for _, r := range cfg.Records {
		b.s.Records = append(b.s.Records, RecordStatus{Name: r.Name, Type: r.Type, Service: r.Service})
	}
}

// endpoint is where the Publisher sends its requests.
func endpoint(cfg Config) string {
	switch {
	case cfg.Kind == RFC2136:
		return cfg.Server
	case cfg.APIURL != "":
		return cfg.APIURL
	}
	return defaultBase(cfg.Kind)
}

func (b *statusBox) get() Status {
	b.mu.Lock()
	defer b.mu.Unlock()
	s := b.s
	s.Records = slices.Clone(b.s.Records)
	return s
}

func (b *statusBox) restore(prev Status) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.touched {
		return
	}
	b.s.LastSuccess, b.s.LastVerified = prev.LastSuccess, prev.LastVerified
	b.s.LastError, b.s.LastErrorAt, b.s.Failure, b.s.FailingSince = prev.LastError, prev.LastErrorAt, prev.Failure, prev.FailingSince
	for i, r := range b.s.Records {
		for _, o := range prev.Records {
			if o.Name == r.Name && o.Type == r.Type {
				o.Service = r.Service
				b.s.Records[i] = o
			}
		}
	}
}

// wanted records what each target was asked to hold.
func (b *statusBox) wanted(ts []target) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.touched = true
	for _, t := range ts {
		b.s.Records[t.index].Want = slices.Clone(t.want)
	}
}

// saw records the addresses read from the provider for every record.
func (b *statusBox) saw(cfg Config, live liveSet, now time.Time) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.touched = true
	b.s.LastVerified = now
	for i, r := range cfg.Records {
		rs := &b.s.Records[i]
		rs.Live = live.addrs(r)
		if rs.Live == nil {
			rs.Live = []netip.Addr{}
		}
		rs.Read, rs.VerifiedAt, rs.Proxied, rs.Unknown = true, now, live.proxied(r), false
	}
}

// unknown records that changes were sent to ts's records and they could
// not be read back: what they hold is not known.
func (b *statusBox) unknown(ts []target) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.touched = true
	for _, t := range ts {
		b.s.Records[t.index].Unknown = true
	}
}

// retrying records the failure of an attempt that will be tried again,
// so that status shows why a change is still pending while it waits.
func (b *statusBox) retrying(now time.Time, err error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.touched = true
	b.failed(now, err)
}

func (b *statusBox) done(now time.Time, err error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.touched = true
	if err != nil {
		b.failed(now, err)
		return
	}
	b.s.LastSuccess, b.s.LastError, b.s.Failure, b.s.FailingSince = now, "", "", time.Time{}
}

// failed records err, of an attempt at now. b.mu is held.
func (b *statusBox) failed(now time.Time, err error) {
	if b.s.LastError == "" || b.s.FailingSince.IsZero() {
		b.s.FailingSince = now
	}
	b.s.LastError, b.s.LastErrorAt, b.s.Failure = err.Error(), now, Classify(err).String()
}
