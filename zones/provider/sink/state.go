package sink

import (
	"maps"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/zonerw/zonerw/zones/provider"
)

// State is what is remembered about one provider between runs.
type State struct {
	// Published is what the last successful publish left at the provider:
	// service -> addresses; nil after a publish that failed, which may
	// have changed some records and not others. A publish happens
	// whenever it differs from what the services want, so a failed one is
	// retried every pass and survives a restart.
	Published map[string][]string `json:"published,omitempty"`
	// Records is the configured records that publish covered
	// (provider.Publisher.RecordsKey): a record added or changed in the
	// config is published at once, not found missing at a read-back.
	Records    string    `json:"records,omitempty"`
	LastVerify time.Time `json:"last_verify,omitzero"`
	LastError  string    `json:"last_error,omitempty"`
	// Status is the publisher's status after the last sync: the live
	// values and when they were read, the pending change, the failure.
	// `zonerw status` and `zonerw explain` show it without a daemon.
	Status *provider.Status `json:"status,omitempty"`
	// Failures counts the syncs that failed in a row. After a permanent
	// failure nothing is tried before NextAttempt unless what would be
	// published (FailedWant) or the config and credential (HeldStamp)
	// changed; see held.
	Failures    int                 `json:"failures,omitempty"`
	NextAttempt time.Time           `json:"next_attempt,omitzero"`
	FailedWant  map[string][]string `json:"failed_want,omitempty"`
	HeldStamp   string              `json:"held_stamp,omitempty"`
}

// A provider whose last publish failed for good (a refused token, a
// missing permission or zone: provider.Failure.Permanent) is not tried
// again every run or round: the next attempt waits provider.RetryDelay
// (one minute, doubling to 30), unless the wanted addresses, the
// provider's config or its token or key file changed since the failure.

// held reports whether the provider is waiting out a permanent failure:
// nothing it would publish, nor its config or credential, changed since.
func (s State) held(now time.Time, want map[string][]string, stamp string) bool {
	return s.NextAttempt.After(now) && s.HeldStamp == stamp && maps.EqualFunc(s.FailedWant, want, slices.Equal)
}

// afterSync records how a sync went in the retry schedule and keeps the
// publisher's status for `zonerw status` and `zonerw explain`.
func (s *State) afterSync(err error, now time.Time, want map[string][]string, stamp string, st provider.Status) {
	s.NextAttempt, s.FailedWant, s.HeldStamp = time.Time{}, nil, ""
	if err == nil {
		s.Failures = 0
	} else {
		s.Failures++
		if f := provider.Classify(err); f.Permanent() {
			s.NextAttempt = now.Add(provider.RetryDelay(f, s.Failures, rand.Float64()))
			s.FailedWant, s.HeldStamp = want, stamp
		}
	}
	st.NextAttempt = s.NextAttempt
	s.Status = &st
}
