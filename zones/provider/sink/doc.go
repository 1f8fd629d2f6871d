// Package sink keeps one DNS provider's records holding what the services
// serve: it is the zone pipeline's value destination for a provider
// (publish.ValueDestination over a provider.Publisher). It publishes only
// when the wanted addresses differ from what it last published, reads
// the records back to find drift, waits out a permanent failure (a
// refused token, a missing permission or zone) instead of retrying it
// every round, and turns the provider's Retry-After and holds into the
// waits the pipeline's worker honours. What it remembers between runs is
// a State, which the caller keeps in its state file.
package sink
