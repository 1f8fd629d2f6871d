package observe

import (
	"time"

	"github.com/zonerw/zonerw/cmd/zonerw/alert"
	"github.com/zonerw/zonerw/cmd/zonerw/config"
)

// alertRepeatEvery is how long a repeating alert (the checker cut off, a
// publish failing) is held before it is sent again as a reminder.
const alertRepeatEvery = time.Hour

// alertSinks builds the configured webhooks and exec hooks.
func alertSinks(a config.Alerts) []alert.Sink {
	var sinks []alert.Sink
	for _, w := range a.Webhooks {
		sinks = append(sinks, &alert.Webhook{URL: w.URL, Timeout: w.Timeout})
	}
	for _, x := range a.Exec {
		sinks = append(sinks, &alert.Exec{Command: x.Command, Timeout: x.Timeout})
	}
	return sinks
}
