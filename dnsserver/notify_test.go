package dnsserver

import (
	"context"
	"net"
	"net/netip"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/miekg/dns"
)

// fakeSecondary answers NOTIFY and SOA queries on loopback UDP the way a
// scripted secondary would.
type fakeSecondary struct {
	addr netip.AddrPort

	mu sync.Mutex
	script
	notifies int // NOTIFYs received
}

// script is how a fakeSecondary behaves.
type script struct {
	serial       uint32 // served serial
	pending      uint32 // serial it moves to after polls SOA queries
	polls        int
	failNotifies int    // NOTIFYs answered SERVFAIL before one is acknowledged
	takeOnNotify bool   // an acknowledged NOTIFY moves it to pending at once
	refuse       bool   // answer everything REFUSED
	key          string // key name that must sign every message
}

func newFakeSecondary(t *testing.T, sc script, secrets map[string]string) *fakeSecondary {
	t.Helper()
	f := &fakeSecondary{script: sc}
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	f.addr = pc.LocalAddr().(*net.UDPAddr).AddrPort()
	started := make(chan struct{})
	srv := &dns.Server{PacketConn: pc, Handler: dns.HandlerFunc(f.serve), TsigSecret: secrets, NotifyStartedFunc: func() { close(started) }}
	done := make(chan struct{})
	go func() { defer close(done); srv.ActivateAndServe() }()
	<-started
	t.Cleanup(func() { srv.Shutdown(); <-done })
	return f
}

func (f *fakeSecondary) serve(w dns.ResponseWriter, r *dns.Msg) {
	f.mu.Lock()
	defer f.mu.Unlock()
	m := new(dns.Msg)
	m.SetReply(r)
	signed := r.IsTsig() != nil && w.TsigStatus() == nil
	switch {
	case f.refuse || (f.key != "" && !signed):
		m.Rcode = dns.RcodeRefused
	case r.Opcode == dns.OpcodeNotify:
		f.notifies++
		if f.notifies <= f.failNotifies {
			m.Rcode = dns.RcodeServerFailure
		} else if f.takeOnNotify && f.pending != 0 {
			f.serial, f.pending = f.pending, 0
		}
	default:
		if f.pending != 0 {
			if f.polls--; f.polls < 0 {
				f.serial, f.pending = f.pending, 0
			}
		}
		m.Answer = []dns.RR{&dns.SOA{Hdr: dns.RR_Header{Name: r.Question[0].Name, Rrtype: dns.TypeSOA, Class: dns.ClassINET, Ttl: 60},
			Ns: "ns.", Mbox: "hm.", Serial: f.serial}}
	}
	if signed {
		m.SetTsig(r.IsTsig().Hdr.Name, r.IsTsig().Algorithm, 300, time.Now().Unix())
	}
	w.WriteMsg(m)
}

func (f *fakeSecondary) notifyCount() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.notifies
}

// fastNotify retries and polls every millisecond.
var fastNotify = NotifyConfig{Attempts: 3, Backoff: time.Millisecond, MaxBackoff: 2 * time.Millisecond,
	Timeout: 5 * time.Second, CatchUpTimeout: 10 * time.Second, PollInterval: time.Millisecond}

// waitStatus polls the secondary's state until done says so.
func waitStatus(t *testing.T, s *Server, done func(SecondaryState) bool) SecondaryState {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		st := s.SecondaryStatus("example.com.")[0]
		if done(st) {
			return st
		}
		if time.Now().After(deadline) {
			t.Fatalf("secondary state never settled: %+v", st)
		}
		time.Sleep(time.Millisecond) // polling interval, not a wait for an outcome
	}
}

func TestNotifyAndCatchUp(t *testing.T) {
	key := Key{Name: "sec.", Algorithm: "hmac-sha512", Secret: secret}
	tests := []struct {
		name string
		sec  script
		key  string
	}{
		{name: "acknowledged at once", sec: script{serial: 1, pending: 2024010101, polls: 3}},
		{name: "acknowledged after retries", sec: script{serial: 1, pending: 2024010101, failNotifies: 2}},
		{name: "signed with tsig", sec: script{serial: 1, pending: 2024010101, key: "sec."}, key: "sec."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeSecondary(t, tt.sec, map[string]string{"sec.": secret})
			s := newTestServer(t, Config{Keys: []Key{key}, Notify: fastNotify,
				Zones: []ZoneConfig{{Name: "example.com.", Secondaries: []Secondary{{Addr: f.addr, Key: tt.key}}}}})
			t.Cleanup(func() { s.Shutdown(context.Background()) })
			st := waitStatus(t, s, func(st SecondaryState) bool { return st.CatchUp > 0 })
			if !st.Acked || st.Serial != 2024010101 || st.Target != 2024010101 || st.LastError != "" {
				t.Errorf("state %+v, want acked, caught up at 2024010101, no error", st)
			}
			if got, want := f.notifyCount(), tt.sec.failNotifies+1; got != want || st.NotifySent != uint64(want) {
				t.Errorf("secondary got %d NOTIFYs, %d counted as sent; want %d", got, st.NotifySent, want)
			}
			if st.NotifyAcked != 1 || st.NotifyFailed != 0 {
				t.Errorf("%d acknowledged, %d failed; want 1 and 0", st.NotifyAcked, st.NotifyFailed)
			}
		})
	}
}

func TestNotifyGivesUp(t *testing.T) {
	f := newFakeSecondary(t, script{failNotifies: 100}, nil)
	s := newTestServer(t, Config{Notify: fastNotify,
		Zones: []ZoneConfig{{Name: "example.com.", Secondaries: []Secondary{{Addr: f.addr}}}}})
	t.Cleanup(func() { s.Shutdown(context.Background()) })
	st := waitStatus(t, s, func(st SecondaryState) bool { return strings.Contains(st.LastError, "no acknowledgement") })
	if st.Acked || !strings.Contains(st.LastError, "after 3 attempts") || !strings.Contains(st.LastError, "SERVFAIL") {
		t.Errorf("state %+v, want unacknowledged after 3 attempts naming SERVFAIL", st)
	}
	if f.notifyCount() != 3 || st.NotifySent != 3 || st.NotifyAcked != 0 || st.NotifyFailed != 1 {
		t.Errorf("secondary got %d NOTIFYs; counted %d sent, %d acknowledged, %d failed; want 3, 3, 0, 1",
			f.notifyCount(), st.NotifySent, st.NotifyAcked, st.NotifyFailed)
	}
}

func TestShutdownCancelsNotifyBackoff(t *testing.T) {
	f := newFakeSecondary(t, script{failNotifies: 100}, nil)
	slow := fastNotify
	slow.Attempts, slow.Backoff, slow.MaxBackoff = 100, time.Hour, time.Hour
	s := newTestServer(t, Config{Notify: slow,
		Zones: []ZoneConfig{{Name: "example.com.", Secondaries: []Secondary{{Addr: f.addr}}}}})
	waitStatus(t, s, func(st SecondaryState) bool { return st.LastError != "" }) // first attempt failed; now in backoff
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := s.Shutdown(ctx); err != nil {
		t.Fatalf("Shutdown during an hour-long backoff: %v", err)
	}
}

func TestQuerySecondarySerials(t *testing.T) {
	a := newFakeSecondary(t, script{serial: 5}, nil)
	b := newFakeSecondary(t, script{serial: 2024010199}, nil)
	c := newFakeSecondary(t, script{refuse: true}, nil)
	s, err := New(Config{Notify: fastNotify, Zones: []ZoneConfig{{Name: "example.com.",
		Secondaries: []Secondary{{Addr: a.addr}, {Addr: b.addr}, {Addr: c.addr}}}}}, discardLog())
	if err != nil {
		t.Fatal(err)
	}
	got, err := s.QuerySecondarySerials(context.Background(), "Example.COM")
	if len(got) != 2 || got[a.addr.String()] != 5 || got[b.addr.String()] != 2024010199 {
		t.Errorf("serials %v, want %s:5 and %s:2024010199", got, a.addr, b.addr)
	}
	if err == nil || !strings.Contains(err.Error(), c.addr.String()) {
		t.Errorf("error %v, want one naming %s", err, c.addr)
	}
	if st := s.SecondaryStatus("example.com.")[1]; st.Serial != 2024010199 || st.Seen.IsZero() {
		t.Errorf("status %+v, want the serial recorded", st)
	}
}

// waitSecondary polls the state of the i-th secondary of example.com
// until done says so.
func waitSecondary(t *testing.T, s *Server, i int, done func(SecondaryState) bool) SecondaryState {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		st := s.SecondaryStatus("example.com.")[i]
		if done(st) {
			return st
		}
		if time.Now().After(deadline) {
			t.Fatalf("secondary %d state never settled: %+v", i, st)
		}
		time.Sleep(time.Millisecond) // polling interval, not a wait for an outcome
	}
}

// silentSecondary is a loopback UDP address where nothing ever answers.
func silentSecondary(t *testing.T) netip.AddrPort {
	t.Helper()
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { pc.Close() })
	return pc.LocalAddr().(*net.UDPAddr).AddrPort()
}

// TestNotifyCountsPerSecondary: each secondary of a zone has its own
// NOTIFY counts, which keep adding up across versions.
func TestNotifyCountsPerSecondary(t *testing.T) {
	acks := newFakeSecondary(t, script{serial: 2024010101}, nil)
	refuses := newFakeSecondary(t, script{refuse: true}, nil)
	s := newTestServer(t, Config{Notify: fastNotify, Zones: []ZoneConfig{{Name: "example.com.",
		Secondaries: []Secondary{{Addr: acks.addr}, {Addr: refuses.addr}}}}})
	t.Cleanup(func() { s.Shutdown(context.Background()) })
	waitSecondary(t, s, 0, func(st SecondaryState) bool { return st.CatchUp > 0 })
	waitSecondary(t, s, 1, func(st SecondaryState) bool { return st.NotifyFailed == 1 })

	acks.mu.Lock()
	acks.serial = 2024010102
	acks.mu.Unlock()
	if err := s.Publish(parseZone(t, "example.com.", withSerial(testZone, "2024010102"))); err != nil {
		t.Fatal(err)
	}
	a := waitSecondary(t, s, 0, func(st SecondaryState) bool { return st.Target == 2024010102 && st.CatchUp > 0 })
	r := waitSecondary(t, s, 1, func(st SecondaryState) bool { return st.NotifyFailed == 2 })
	if a.NotifySent != 2 || a.NotifyAcked != 2 || a.NotifyFailed != 0 {
		t.Errorf("acknowledging secondary: %d sent, %d acknowledged, %d failed; want 2, 2, 0", a.NotifySent, a.NotifyAcked, a.NotifyFailed)
	}
	if r.NotifySent != 6 || r.NotifyAcked != 0 || r.NotifyFailed != 2 {
		t.Errorf("refusing secondary: %d sent, %d acknowledged, %d failed; want 6, 0, 2", r.NotifySent, r.NotifyAcked, r.NotifyFailed)
	}
}

func TestNotifyUnansweredFails(t *testing.T) {
	quick := fastNotify
	quick.Attempts, quick.Timeout = 2, 50*time.Millisecond
	s := newTestServer(t, Config{Notify: quick, Zones: []ZoneConfig{{Name: "example.com.",
		Secondaries: []Secondary{{Addr: silentSecondary(t)}}}}})
	t.Cleanup(func() { s.Shutdown(context.Background()) })
	st := waitStatus(t, s, func(st SecondaryState) bool { return st.NotifyFailed > 0 })
	if st.NotifySent != 2 || st.NotifyAcked != 0 || st.NotifyFailed != 1 || !strings.Contains(st.LastError, "timeout") {
		t.Errorf("state %+v, want 2 sent, none acknowledged, 1 failed on a timeout", st)
	}
}

// TestNotifyCancelledIsNotFailure: a NOTIFY given up because a newer
// version (or shutdown) replaced it does not count as failed.
func TestNotifyCancelledIsNotFailure(t *testing.T) {
	f := newFakeSecondary(t, script{failNotifies: 100}, nil)
	slow := fastNotify
	slow.Backoff, slow.MaxBackoff = time.Hour, time.Hour
	s := newTestServer(t, Config{Notify: slow,
		Zones: []ZoneConfig{{Name: "example.com.", Secondaries: []Secondary{{Addr: f.addr}}}}})
	waitStatus(t, s, func(st SecondaryState) bool { return st.NotifySent == 1 && st.LastError != "" })
	if err := s.Publish(parseZone(t, "example.com.", withSerial(testZone, "2024010102"))); err != nil {
		t.Fatal(err)
	}
	waitStatus(t, s, func(st SecondaryState) bool { return st.NotifySent == 2 && st.LastError != "" })
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := s.Shutdown(ctx); err != nil { // waits for both NOTIFY loops to end
		t.Fatal(err)
	}
	if st := s.SecondaryStatus("example.com.")[0]; st.NotifySent != 2 || st.NotifyFailed != 0 || st.NotifyAcked != 0 {
		t.Errorf("%d sent, %d acknowledged, %d failed; want 2, 0, 0", st.NotifySent, st.NotifyAcked, st.NotifyFailed)
	}
}

// TestStaleFollowerLeavesTheNewerVersionAlone: the goroutine still busy
// with a version that a newer one replaced (its context cancelled) must
// not overwrite what is recorded for the newer one, whichever runs first.
func TestStaleFollowerLeavesTheNewerVersionAlone(t *testing.T) {
	f := newFakeSecondary(t, script{serial: 2024010101}, nil)
	s := newTestServer(t, Config{Notify: fastNotify,
		Zones: []ZoneConfig{{Name: "example.com.", Secondaries: []Secondary{{Addr: f.addr}}}}})
	t.Cleanup(func() { s.Shutdown(context.Background()) })
	st := waitStatus(t, s, func(st SecondaryState) bool { return st.CatchUp > 0 })
	if st.Target != 2024010101 {
		t.Fatalf("state %+v, want target 2024010101", st)
	}
	older := &dns.SOA{Hdr: dns.RR_Header{Name: "example.com.", Rrtype: dns.TypeSOA, Class: dns.ClassINET}, Serial: 2024010100}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	s.follow(ctx, "example.com.", Secondary{Addr: f.addr}, older)
	after := s.SecondaryStatus("example.com.")[0]
	if after.Target != st.Target || after.CatchUp != st.CatchUp || !after.Acked || after.LastError != "" || after.NotifyFailed != 0 {
		t.Fatalf("a stale follower changed the state:\nbefore %+v\nafter  %+v", st, after)
	}
}

// TestCatchUpPollsStartFastAndSlowDown: the catch-up polls start 2 ms
// apart and grow by half each time to 10 ms for the first seconds, so a
// secondary's catch-up is timed to within about 10 ms, then back off to
// PollInterval.
func TestCatchUpPollsStartFastAndSlowDown(t *testing.T) {
	c := Config{}.withDefaults().Notify
	var got []time.Duration
	wait, elapsed := time.Duration(0), time.Duration(0)
	for range 8 {
		wait = c.pollWait(wait, elapsed)
		elapsed += wait
		got = append(got, wait)
	}
	want := []time.Duration{2 * time.Millisecond, 3 * time.Millisecond, 4500 * time.Microsecond, 6750 * time.Microsecond,
		10 * time.Millisecond, 10 * time.Millisecond, 10 * time.Millisecond, 10 * time.Millisecond}
	if !slices.Equal(got, want) {
		t.Errorf("first waits %v, want %v", got, want)
	}
	if w := c.pollWait(10*time.Millisecond, 6*time.Second); w != 20*time.Millisecond {
		t.Errorf("after the fast phase: %v, want the wait doubled", w)
	}
	if w := c.pollWait(800*time.Millisecond, time.Minute); w != time.Second {
		t.Errorf("late: %v, want PollInterval", w)
	}
}

// TestTransferWakesCatchUp: the end of a transfer of the zone wakes the
// waits on it, and only on it.
func TestTransferWakesCatchUp(t *testing.T) {
	var w transferWatch
	a, b := w.wait("example.com."), w.wait("example.org.")
	w.ended("example.com.")
	select {
	case <-a:
	default:
		t.Fatal("a transfer of example.com. did not wake its wait")
	}
	select {
	case <-b:
		t.Fatal("a transfer of example.com. woke a wait on example.org.")
	default:
	}
	if c := w.wait("example.com."); c == a {
		t.Error("a wait after the wake-up got the closed channel again")
	}
}

// set changes how the secondary behaves from now on.
func (f *fakeSecondary) set(change func(*script)) {
	f.mu.Lock()
	defer f.mu.Unlock()
	change(&f.script)
}

// TestRecheckFollowsASecondaryUntilItCatchesUp: a secondary that
// acknowledged no NOTIFY, or did not catch up within the timeout, is
// asked again (and told again) until it serves the serial, and then
// reported in sync without a newer version; a transfer of the zone that
// ends brings the question forward.
func TestRecheckFollowsASecondaryUntilItCatchesUp(t *testing.T) {
	quick := fastNotify
	quick.Recheck, quick.RecheckMax = 5*time.Millisecond, 20*time.Millisecond
	tests := []struct {
		name   string
		sec    script
		notify NotifyConfig
		// recover makes the secondary catch up, or take the NOTIFY; wake
		// ends a transfer of the zone.
		recover func(*script)
		wake    bool
		acked   bool
	}{
		{"no acknowledgement, then the zone fetched on its own", script{serial: 1, failNotifies: 1000}, quick,
			func(sc *script) { sc.serial = 2024010101 }, false, false},
		{"no acknowledgement, then the NOTIFY taken", script{serial: 1, failNotifies: 1000}, quick,
			func(sc *script) { sc.failNotifies, sc.pending, sc.polls = 0, 2024010101, 1 }, false, true},
		{"acknowledged, not caught up in time", script{serial: 1}, func() NotifyConfig {
			c := quick
			c.CatchUpTimeout = 30 * time.Millisecond
			return c
		}(), func(sc *script) { sc.serial = 2024010101 }, false, true},
		{"the transfer's end wakes it", script{serial: 1, failNotifies: 1000}, func() NotifyConfig {
			c := quick
			c.Recheck, c.RecheckMax = time.Hour, time.Hour
			return c
		}(), func(sc *script) { sc.serial = 2024010101 }, true, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeSecondary(t, tt.sec, nil)
			s := newTestServer(t, Config{Notify: tt.notify,
				Zones: []ZoneConfig{{Name: "example.com.", Secondaries: []Secondary{{Addr: f.addr}}}}})
			t.Cleanup(func() { s.Shutdown(context.Background()) })
			st := waitStatus(t, s, func(st SecondaryState) bool {
				return strings.Contains(st.LastError, "no acknowledgement") || strings.Contains(st.LastError, "did not reach")
			})
			if st.Serial == st.Target || st.CatchUp != 0 {
				t.Fatalf("state %+v before the secondary recovers, want it behind", st)
			}
			f.set(tt.recover)
			if tt.wake {
				s.transfers.ended("example.com.")
			}
			st = waitStatus(t, s, func(st SecondaryState) bool { return st.CatchUp > 0 })
			if st.Serial != 2024010101 || st.LastError != "" || st.Acked != tt.acked {
				t.Errorf("state %+v, want in sync at 2024010101, no error, acknowledged %v", st, tt.acked)
			}
		})
	}
}

// TestRecheckFollowsATakenNOTIFY: a secondary that takes the NOTIFY of a
// recheck round (it had missed the first ones) and fetches the zone at
// once is seen in sync by the catch-up polls that follow that NOTIFY,
// not a whole recheck interval later.
func TestRecheckFollowsATakenNOTIFY(t *testing.T) {
	c := fastNotify
	c.Recheck, c.RecheckMax = time.Second, time.Hour
	f := newFakeSecondary(t, script{serial: 1, failNotifies: c.Attempts, pending: 2024010101, polls: 1 << 30, takeOnNotify: true}, nil)
	s := newTestServer(t, Config{Notify: c, Zones: []ZoneConfig{{Name: "example.com.", Secondaries: []Secondary{{Addr: f.addr}}}}})
	t.Cleanup(func() { s.Shutdown(context.Background()) })
	waitStatus(t, s, func(st SecondaryState) bool { return strings.Contains(st.LastError, "no acknowledgement") })
	gaveUp := time.Now()
	st := waitStatus(t, s, func(st SecondaryState) bool { return st.CatchUp > 0 })
	// The first recheck round comes 1s after giving up, the next 2s
	// later; the catch-up polls after the round's NOTIFY see the zone
	// within milliseconds of it.
	if took := time.Since(gaveUp); took >= 2500*time.Millisecond || !st.Acked || st.Serial != 2024010101 {
		t.Errorf("in sync %v after giving up (state %+v); want it seen right after the first recheck round (1s), acknowledged", took, st)
	}
}

// TestHeldNotifyGoesOutOnRelease: a version published while NOTIFYs are
// held (a start, before the listeners are bound) is announced when they
// are released, not before: a secondary that fetched on a NOTIFY sent
// before the bind found the port closed (Knot then waited minutes).
func TestHeldNotifyGoesOutOnRelease(t *testing.T) {
	f := newFakeSecondary(t, script{serial: 1, pending: 2024010101, takeOnNotify: true}, nil)
	s, err := New(Config{Notify: fastNotify, Zones: []ZoneConfig{{Name: "example.com.", Secondaries: []Secondary{{Addr: f.addr}}}}}, discardLog())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Shutdown(context.Background()) })
	s.HoldNotify()
	if err := s.Publish(parseZone(t, "example.com.", testZone)); err != nil {
		t.Fatal(err)
	}
	// Held: nothing goes out. (A bounded look; the release below is the
	// part that must happen.)
	for deadline := time.Now().Add(200 * time.Millisecond); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		if n := f.notifyCount(); n != 0 {
			t.Fatalf("%d NOTIFYs went out while held", n)
		}
	}
	s.ReleaseNotify()
	st := waitStatus(t, s, func(st SecondaryState) bool { return st.CatchUp > 0 })
	if !st.Acked || f.notifyCount() != 1 {
		t.Errorf("after the release: state %+v, %d NOTIFYs; want one, acknowledged", st, f.notifyCount())
	}
	s.ReleaseNotify() // a second release changes nothing
}
