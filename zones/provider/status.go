package provider

import (
	"net/netip"
	"slices"
	"sync"
	"time"
)

// Status is what a Publisher last knew, for `zonerw status` and metrics.
type Status struct {
	Name        string
	Kind        Kind
	Zone        string
	LastSuccess time.Time // end of the last Publish or Reconcile that returned no error
	LastError   string    // the last error; empty after a success
	LastErrorAt time.Time
	Records     []RecordStatus // in Config.Records order
}

// RecordStatus is one record's wanted and last-read addresses.
type RecordStatus struct {
	Name, Type, Service string
	Want                []netip.Addr // what was last asked for; nil before the first call
	Live                []netip.Addr // as last read from the provider; nil before the first read
	Read                bool         // Live has been read at least once
}

// InSync reports whether the record was last seen holding exactly Want.
func (r RecordStatus) InSync() bool {
	return r.Read && r.Want != nil && slices.Equal(r.Want, r.Live)
}

// Status returns a copy of the Publisher's status.
func (p *Publisher) Status() Status { return p.status.get() }

// statusBox guards a Status.
type statusBox struct {
	mu sync.Mutex
	s  Status
}

func (b *statusBox) init(cfg Config) {
	b.s = Status{Name: cfg.Name, Kind: cfg.Kind, Zone: cfg.Zone}
	for _, r := range cfg.Records {
		b.s.Records = append(b.s.Records, RecordStatus{Name: r.Name, Type: r.Type, Service: r.Service})
	}
}

func (b *statusBox) get() Status {
	b.mu.Lock()
	defer b.mu.Unlock()
	s := b.s
	s.Records = slices.Clone(b.s.Records)
	return s
}

// wanted records what each target was asked to hold.
func (b *statusBox) wanted(ts []target) {
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, t := range ts {
		b.s.Records[t.index].Want = slices.Clone(t.want)
	}
}

// saw records the addresses read from the provider for every record.
func (b *statusBox) saw(cfg Config, live liveSet) {
	b.mu.Lock()
	defer b.mu.Unlock()
	for i, r := range cfg.Records {
		b.s.Records[i].Live = live.addrs(r)
		b.s.Records[i].Read = true
	}
}

func (b *statusBox) done(now time.Time, err error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if err != nil {
		b.s.LastError, b.s.LastErrorAt = err.Error(), now
		return
	}
	b.s.LastSuccess, b.s.LastError = now, ""
}
