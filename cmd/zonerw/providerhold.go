package main

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"maps"
	"math/rand/v2"
	"os"
	"slices"
	"time"

	"github.com/zonerw/zonerw/cmd/zonerw/config"
	"github.com/zonerw/zonerw/zones/provider"
)

// A provider whose last publish failed for good (a refused token, a
// missing permission or zone: provider.Failure.Permanent) is not tried
// again every run or round: the next attempt waits provider.RetryDelay
// (one minute, doubling to 30), unless the wanted addresses, the
// provider's config or its token or key file changed since the failure.

// held reports whether the provider is waiting out a permanent failure:
// nothing it would publish, nor its config or credential, changed since.
func (s providerState) held(now time.Time, want map[string][]string, stamp string) bool {
	return s.NextAttempt.After(now) && s.HeldStamp == stamp && maps.EqualFunc(s.FailedWant, want, slices.Equal)
}

// afterSync records how a sync went in the retry schedule and keeps the
// publisher's status for `zonerw status` and `zonerw explain`.
func (s *providerState) afterSync(err error, now time.Time, want map[string][]string, stamp string, st provider.Status) {
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

// providerStamp identifies a provider's config and the file its secret
// comes from (path, size, modification time: never its content), so that
// fixing either ends a hold at once.
func providerStamp(p config.Provider, keyFile string) string {
	h := sha256.New()
	fmt.Fprintf(h, "%s|%s|%s|%s|%s|%s|%s|%s|%v", p.Name, p.Type, p.Zone, p.APIURL, p.Server, p.Key, p.TokenFile, p.TokenEnv, p.Records)
	for _, f := range []string{p.TokenFile, keyFile} {
		if fi, err := os.Stat(f); f != "" && err == nil {
			fmt.Fprintf(h, "|%s %d %d", f, fi.Size(), fi.ModTime().UnixNano())
		}
	}
	return hex.EncodeToString(h.Sum(nil)[:8])
}

// stillFailing reports whether a configured provider is waiting out a
// permanent failure, so that a cron run that did not retry it still
// exits 1.
func (ps *providerSet) stillFailing(st map[string]providerState, now time.Time) bool {
	for _, p := range ps.cfgs {
		if st[p.Name].NextAttempt.After(now) {
			return true
		}
	}
	return false
}
