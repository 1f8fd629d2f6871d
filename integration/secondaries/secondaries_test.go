package secondaries

import (
	"net/netip"
	"testing"
	"time"

	"github.com/miekg/dns"
	"github.com/zonerw/zonerw/dnsserver"
	"github.com/zonerw/zonerw/integration/peers"
)

const zone = "example.com."

// Keys for the tests only; they protect nothing.
var (
	goodKey  = dnsserver.Key{Name: "zonerw-test.", Algorithm: "hmac-sha256", Secret: "ZGVtby1zZWNyZXQtZm9yLXRlc3RzLW9ubHktMzJieXQ="}
	wrongKey = dnsserver.Key{Name: "zonerw-test.", Algorithm: "hmac-sha256", Secret: "b3RoZXItc2VjcmV0LW9mLXRoaXJ0eS10d28tYnl0ZXM="}
)

const transferDeadline = 30 * time.Second

func TestSecondaries(t *testing.T) {
	for _, k := range kinds {
		t.Run(k.name, func(t *testing.T) {
			bin := peers.RequireBinary(t, k.binary, k.pkg)
			t.Run("plain", func(t *testing.T) { testFollows(t, k, bin, nil) })
			t.Run("tsig", func(t *testing.T) { testFollows(t, k, bin, &goodKey) })
			t.Run("wrong key refused", func(t *testing.T) { testWrongKey(t, k, bin) })
		})
	}
}

// primaryConfig serves the zone to loopback, requiring key when set, and
// lists the secondary for NOTIFY.
func primaryConfig(t *testing.T, secondary netip.AddrPort, key *dnsserver.Key) dnsserver.Config {
	zc := dnsserver.ZoneConfig{
		Name:          zone,
		AllowTransfer: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")},
		Secondaries:   []dnsserver.Secondary{{Addr: secondary}},
	}
	cfg := dnsserver.Config{
		Zones: []dnsserver.ZoneConfig{zc},
		Notify: dnsserver.NotifyConfig{Attempts: 20, Backoff: 20 * time.Millisecond, MaxBackoff: 200 * time.Millisecond,
			Timeout: time.Second, CatchUpTimeout: transferDeadline, PollInterval: time.Millisecond},
	}
	if key != nil {
		cfg.Keys = []dnsserver.Key{goodKey}
		cfg.Zones[0].TransferKeys = []string{key.Name}
		cfg.Zones[0].Secondaries[0].Key = key.Name
	}
	return cfg
}

// testFollows: initial AXFR, then a change that reaches the secondary by
// NOTIFY and IXFR, and the secondary answering the new address.
func testFollows(t *testing.T, k kind, bin string, key *dnsserver.Key) {
	listen := peers.FreePort(t, k.ip)
	primary, primaryAddr := startPrimary(t, primaryConfig(t, listen, key))
	if err := publishNext(primary, zoneVersion(t, 1, "192.0.2.10")); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	startDaemon(t, bin, k.configure(t, setup{dir: dir, zone: zone, primary: primaryAddr, listen: listen, key: key}), dir)

	took, err := poll(transferDeadline, func() bool { return answersA(listen, "www."+zone, "192.0.2.10") })
	if err != nil {
		t.Fatalf("initial transfer: secondary does not answer www after %s", took)
	}
	before := primary.Stats()
	if before.AXFR == 0 {
		t.Fatalf("secondary has the zone but no AXFR was served: %+v", before)
	}
	t.Logf("initial AXFR served after %s", took)

	// Two changes in a row, as a failover and its failback would be.
	for _, v := range []struct {
		serial uint32
		addr   string
	}{{2, "192.0.2.110"}, {3, "192.0.2.10"}} {
		serial, addr := v.serial, v.addr
		if err := publishNext(primary, zoneVersion(t, serial, addr)); err != nil {
			t.Fatal(err)
		}
		took, err = poll(transferDeadline, func() bool { return answersA(listen, "www."+zone, addr) })
		if err != nil {
			t.Fatalf("serial %d not picked up within %s: %+v", serial, took, primary.SecondaryStatus(zone))
		}
		t.Logf("%s: serial %d: publish -> NOTIFY -> IXFR -> new address answered in %s", k.name, serial, took)
	}

	after := primary.Stats()
	if after.AXFR != before.AXFR || after.IXFR <= before.IXFR {
		t.Errorf("the changes went by AXFR %d->%d, IXFR %d->%d; want IXFR and no AXFR",
			before.AXFR, after.AXFR, before.IXFR, after.IXFR)
	}
	if r, err := ask(listen, "api."+zone, dns.TypeA); err != nil || len(r.Answer) != 2 {
		t.Errorf("secondary's answer for the CNAME: %v, %v", r, err)
	}
	if _, err := poll(transferDeadline, func() bool { return primary.SecondaryStatus(zone)[0].CatchUp > 0 }); err != nil {
		t.Fatalf("primary never saw the secondary catch up: %+v", primary.SecondaryStatus(zone)[0])
	}
	st := primary.SecondaryStatus(zone)[0]
	if !st.Acked || st.Serial != 3 {
		t.Errorf("secondary state %+v, want NOTIFY acknowledged and serial 3", st)
	}
	t.Logf("%s: catch-up measured by the primary (NOTIFY -> SOA serial 3): %s", k.name, st.CatchUp)
}

// testWrongKey: a secondary with the right key name but another secret
// gets nothing: its signed requests fail TSIG (NOTAUTH) and no transfer
// is served.
func testWrongKey(t *testing.T, k kind, bin string) {
	listen := peers.FreePort(t, k.ip)
	primary, primaryAddr := startPrimary(t, primaryConfig(t, listen, &goodKey))
	if err := publishNext(primary, zoneVersion(t, 1, "192.0.2.10")); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	startDaemon(t, bin, k.configure(t, setup{dir: dir, zone: zone, primary: primaryAddr, listen: listen, key: &wrongKey}), dir)

	took, err := poll(transferDeadline, func() bool { return primary.Stats().TSIGFailures > 0 })
	if err != nil {
		t.Fatalf("no request signed with the wrong key reached the primary within %s", took)
	}
	st := primary.Stats()
	if st.AXFR != 0 || st.IXFR != 0 {
		t.Errorf("transfers served to a secondary with a wrong key: %+v", st)
	}
	if answersA(listen, "www."+zone, "192.0.2.10") {
		t.Errorf("secondary with a wrong key serves the zone")
	}
	t.Logf("%s: wrong key refused (%d TSIG failures)", k.name, st.TSIGFailures)
}
