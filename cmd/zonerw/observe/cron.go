package observe

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/zonerw/zonerw/cmd/zonerw/alert"
	"github.com/zonerw/zonerw/cmd/zonerw/config"
	"github.com/zonerw/zonerw/failover"
)

// cronAlertFlush bounds how long a cron run waits at its end for alerts to
// go out (retries included); what is still queued then is logged as dropped.
const cronAlertFlush = 30 * time.Second

// Cron raises the alerts of one cron run. A failure that lasts comes
// back every run, so what was already sent is kept in the state file
// (statedir.File.Alerted): the operator hears of it once, then hourly.
type Cron struct {
	d   *alert.Dispatcher
	now func() time.Time

	// mu guards throttle: the destinations' workers report at once.
	mu       sync.Mutex
	throttle alert.Throttle
}

// NewCron starts the sinks; last is what earlier runs sent.
func NewCron(a config.Alerts, last map[string]time.Time, log *slog.Logger) *Cron {
	return &Cron{
		d:        alert.New(alert.Options{Sinks: alertSinks(a), Log: log}),
		throttle: alert.Throttle{Window: alertRepeatEvery, Last: last},
		now:      time.Now,
	}
}

// Send hands ev to the alert sinks unless it repeats one sent within
// the hour.
func (c *Cron) Send(ev alert.Event) {
	c.mu.Lock()
	ok := c.throttle.Allow(ev, c.now())
	c.mu.Unlock()
	if ok {
		c.d.Send(ev)
	}
}

// Clear ends a run of ev's alerts: the next one goes out at once.
func (c *Cron) Clear(ev alert.Event) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.throttle.Clear(ev)
}

// Record implements failover.Recorder.
func (c *Cron) Record(out failover.Outcome) {
	for _, ev := range alert.FromOutcome(out) {
		c.Send(ev)
	}
}

// Zone is told how publishing a zone went.
func (c *Cron) Zone(name string, err error) {
	ev := alert.Event{Kind: alert.PublishFailing, Zone: name, At: c.now()}
	c.result(ev, err)
}

// Provider is told how a provider's publish or read-back went.
func (c *Cron) Provider(name string, err error) {
	ev := alert.Event{Kind: alert.PublishFailing, Provider: name, At: c.now()}
	c.result(ev, err)
}

func (c *Cron) result(ev alert.Event, err error) {
	if err == nil {
		c.Clear(ev)
		return
	}
	ev.Reason = err.Error()
	c.Send(ev)
}

// Finish waits for the queued alerts and returns what to keep in the state.
func (c *Cron) Finish() map[string]time.Time {
	ctx, cancel := context.WithTimeout(context.Background(), cronAlertFlush)
	defer cancel()
	c.d.Close(ctx)
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.throttle.Last
}

var _ failover.Recorder = (*Cron)(nil)
