package integration

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/miekg/dns"
)

// plainZone is the marker-less zone the tests serve beside example.com,
// as an operator moving in from NSD has it: no @serial number@, no @IP@,
// a serial the operator manages.
const plainZone = "plain.example"

// plainSerial is the serial written in plainZone's template. It is far
// below any dateserial zonerw would make for today, so a serial zonerw
// made up could not pass for it.
const plainSerial uint32 = 2019030701

// plainTemplate is plainZone's zone file with serial, www's address and
// more lines at its end.
func plainTemplate(serial uint32, www, more string) string {
	return fmt.Sprintf(`; plain.example: no markers, served as written
$ORIGIN plain.example.
$TTL 3600
@       IN SOA ns1.plain.example. hostmaster.plain.example. (
                %d ; serial, raised by hand
                3600 900 1209600 300 )
        IN NS   ns1.plain.example.
ns1     IN A    127.0.0.53
@       IN MX   10 mail.plain.example.
mail    IN A    192.0.2.25
www     300 IN A    %s
@       300 IN TXT  "written by the operator"
%s`, serial, www, more)
}

// plainSetup writes a daemon config serving example.com (failover, the
// web service on 127.0.0.11/12 probed every second on webPort) and
// plainZone from one listener on dnsPort, with zoneKeys (indented 4) added
// to both zones. It returns the config's path and both templates' paths.
func plainSetup(t *testing.T, webPort, dnsPort int, zoneKeys string) (cfg, failTmpl, plainTmpl string) {
	t.Helper()
	dir := t.TempDir()
	cfg = filepath.Join(dir, "zonerw.yaml")
	failTmpl, plainTmpl = filepath.Join(dir, "example.com.tmpl"), filepath.Join(dir, plainZone+".zone")
	writeFile(t, cfg, fmt.Sprintf(`state_dir: state
server:
  listen: ["127.0.0.1:%d"]
services:
  - name: web
    every: "@every 1s"
    check: {type: http, url: "http://{addr}:%d/", timeout: 500ms}
    rise: 1
    fall: 2
    targets:
      - {name: main, ipv4: 127.0.0.11}
      - {name: backup, ipv4: 127.0.0.12}
zones:
  - name: example.com
    template: example.com.tmpl
%[3]s  - name: %[4]s
    template: %[4]s.zone
%[3]s`, dnsPort, webPort, zoneKeys, plainZone))
	writeFile(t, failTmpl, cronTemplate)
	writeFile(t, plainTmpl, plainTemplate(plainSerial, "192.0.2.80", ""))
	return cfg, failTmpl, plainTmpl
}

// zoneRecords is zone's content as server transfers it (AXFR from
// 127.0.0.1), one record a line in presentation form, sorted, the SOA
// once.
func zoneRecords(t *testing.T, server, zone string) []string {
	t.Helper()
	m := new(dns.Msg)
	m.SetAxfr(dns.Fqdn(zone))
	env, err := (&dns.Transfer{DialTimeout: 2 * time.Second, ReadTimeout: 5 * time.Second}).In(m, server)
	if err != nil {
		t.Fatalf("AXFR %s from %s: %v", zone, server, err)
	}
	var out []string
	for e := range env {
		if e.Error != nil {
			t.Fatalf("AXFR %s from %s: %v", zone, server, e.Error)
		}
		for _, rr := range e.RR {
			out = append(out, rr.String())
		}
	}
	if len(out) < 2 || out[0] != out[len(out)-1] {
		t.Fatalf("AXFR %s from %s: not one SOA at both ends:\n%s", zone, server, strings.Join(out, "\n"))
	}
	out = out[:len(out)-1]
	slices.Sort(out)
	return out
}

// fileRecords is the zone file text as records, in zoneRecords' form: what
// serving it "as written" must transfer.
func fileRecords(t *testing.T, text string) []string {
	t.Helper()
	zp := dns.NewZoneParser(strings.NewReader(text), "", "")
	var out []string
	for rr, ok := zp.Next(); ok; rr, ok = zp.Next() {
		out = append(out, rr.String())
	}
	if err := zp.Err(); err != nil {
		t.Fatalf("the test's own zone file does not parse: %v", err)
	}
	slices.Sort(out)
	return out
}

// checkServedAsWritten checks server transfers plainZone with exactly the
// records of text, and answers its SOA with serial.
func checkServedAsWritten(t *testing.T, server, text string, serial uint32) {
	t.Helper()
	if got := soaOf(server, plainZone); got != serial {
		t.Errorf("%s at %s: SOA serial %d, want the template's own %d", plainZone, server, got, serial)
	}
	got, want := zoneRecords(t, server, plainZone), fileRecords(t, text)
	if !slices.Equal(got, want) {
		t.Errorf("%s at %s is not the template as written:\nserved:\n%s\ntemplate:\n%s",
			plainZone, server, strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// TestServePlainAndFailoverZones is issue 15's "serves a marker-less zone
// and a failover zone from one daemon": plain.example has no markers and
// its own serial, example.com fails over between two real web servers.
// The plain zone is served exactly as written, with its written serial,
// before and after example.com moves to the backup with a new serial; an
// NSD secondary gets both zones.
func TestServePlainAndFailoverZones(t *testing.T) {
	needTool(t, "nsd", "nsd")
	main := startWeb(t, "127.0.0.11", 0)
	startWeb(t, "127.0.0.12", main.port())
	dnsPort := freePort(t, "127.0.0.1")
	server := fmt.Sprintf("127.0.0.1:%d", dnsPort)
	nsd := newNSD(t, server)
	cfg, _, plainTmpl := plainSetup(t, main.port(), dnsPort, fmt.Sprintf(`    allow_transfer: ["127.0.0.0/8"]
    secondaries: [{address: "%s"}]
`, nsd.addr))
	// newNSD's config has example.com only; the secondary takes the plain
	// zone from zonerw the same way.
	nsdConf := filepath.Join(nsd.dir, "nsd.conf")
	writeFile(t, nsdConf, readFile(t, nsdConf)+fmt.Sprintf(`zone:
  name: %[1]s
  zonefile: "%[1]s.zone"
  request-xfr: %[2]s NOKEY
  allow-notify: 127.0.0.0/8 NOKEY
`, plainZone, strings.Replace(server, ":", "@", 1)))
	plainText := readFile(t, plainTmpl)

	if code, out, errOut := runZonerw(t, "check", "-c", cfg); code != 0 {
		t.Fatalf("zonerw check refuses the config: exit %d\n%s%s", code, out, errOut)
	}
	d := startServe(t, cfg)
	waitForA(t, server, "www.example.com", "127.0.0.11", 20*time.Second)
	waitForA(t, server, "www."+plainZone, "192.0.2.80", 5*time.Second)
	checkServedAsWritten(t, server, plainText, plainSerial)
	before := soaOf(server, "example.com")
	if before == 0 || before == plainSerial {
		t.Fatalf("example.com's serial is %d", before)
	}

	nsd.start(t)
	waitForSOA(t, nsd.addr, plainZone, plainSerial, 20*time.Second)
	waitForA(t, nsd.addr, "www.example.com", "127.0.0.11", 20*time.Second)
	if got := lookupA(nsd.addr, "www."+plainZone); got != "192.0.2.80" {
		t.Errorf("NSD answers www.%s with %q, want 192.0.2.80", plainZone, got)
	}

	main.stop()
	took := waitForA(t, server, "www.example.com", "127.0.0.12", 30*time.Second)
	t.Logf("example.com on the backup %s after main stopped", took.Round(time.Millisecond))
	if after := soaOf(server, "example.com"); !serialGreater(after, before) {
		t.Errorf("example.com moved to the backup with serial %d, not above %d", after, before)
	}
	if got := lookupA(server, "example.com"); got != "127.0.0.12" {
		t.Errorf("example.com's apex is %q after the failover, want 127.0.0.12", got)
	}
	// The same round published every zone: the plain one must not have moved.
	checkServedAsWritten(t, server, plainText, plainSerial)
	if log := d.log(); strings.Contains(log, "level=ERROR") {
		t.Errorf("the daemon logged errors:\n%s", log)
	}

	waitForA(t, nsd.addr, "www.example.com", "127.0.0.12", 20*time.Second)
	waitForSOA(t, nsd.addr, "example.com", soaOf(server, "example.com"), 10*time.Second)
	if got := soaOf(nsd.addr, plainZone); got != plainSerial {
		t.Errorf("NSD holds %s with serial %d after the failover, want %d", plainZone, got, plainSerial)
	}
	checkStatusSerial(t, cfg, plainSerial, true)
	d.stop(t)
}

// checkStatusSerial checks zonerw status --json (from the daemon) has
// plainZone at serial, and with noError that it reports no error for it.
func checkStatusSerial(t *testing.T, cfg string, serial uint32, noError bool) {
	t.Helper()
	code, out, errOut := runZonerw(t, "status", "--json", "-c", cfg)
	var st struct {
		Daemon        bool
		ReloadRefused *struct{} `json:"reload_refused"`
		Zones         map[string]struct {
			Serial uint32
			Error  string
		}
	}
	if err := json.Unmarshal([]byte(out), &st); err != nil {
		t.Fatalf("zonerw status --json: exit %d %v\n%s%s", code, err, out, errOut)
	}
	// A refused reload or a zone that cannot make versions needs a
	// person: exit 1; else 0.
	want := 0
	if st.ReloadRefused != nil {
		want = 1
	}
	for _, z := range st.Zones {
		if z.Error != "" {
			want = 1
		}
	}
	if code != want {
		t.Fatalf("zonerw status --json: exit %d, want %d\n%s%s", code, want, out, errOut)
	}
	z, ok := st.Zones[plainZone]
	if !st.Daemon || !ok || z.Serial != serial || (noError && z.Error != "") {
		t.Errorf("zonerw status: daemon %v, %s %+v (listed %v), want serial %d (no error: %v)\n%s",
			st.Daemon, plainZone, z, ok, serial, noError, out)
	}
}

// TestPlainZoneReloadNeedsNewSerial: the operator owns a plain zone's
// serial. A reload with the zone's records edited but its serial as it was
// is refused, naming the zone's file, and nothing of it is applied (not
// the plain zone's edit, nor an edit of the failover zone in the same
// reload); the old records and serial stay served. With the serial raised
// the same edit is served with exactly that serial; a serial lowered below
// it is refused too; and a reload that leaves the plain zone alone keeps
// its serial.
func TestPlainZoneReloadNeedsNewSerial(t *testing.T) {
	main := startWeb(t, "127.0.0.11", 0)
	dnsPort := freePort(t, "127.0.0.1")
	server := fmt.Sprintf("127.0.0.1:%d", dnsPort)
	cfg, failTmpl, plainTmpl := plainSetup(t, main.port(), dnsPort, "    allow_transfer: [\"127.0.0.1/32\"]\n")
	d := startServe(t, cfg)
	waitForA(t, server, "www.example.com", "127.0.0.11", 20*time.Second)
	// zonerw serve takes SIGHUP once it has started; this is its last sign.
	waitForLogCount(t, d, "failover loop started", 1, 10*time.Second)
	oldText := readFile(t, plainTmpl)
	checkServedAsWritten(t, server, oldText, plainSerial)
	failSerial := soaOf(server, "example.com")

	// Same serial, new records: www moves, a name is added.
	edited := func(serial uint32) string {
		return plainTemplate(serial, "192.0.2.81", "added   300 IN A 192.0.2.82\n")
	}
	writeFile(t, plainTmpl, edited(plainSerial))
	writeFile(t, failTmpl, cronTemplate+"new 300 IN A 127.0.0.99\n")
	stillOld := func(t *testing.T, how string) {
		t.Helper()
		checkServedAsWritten(t, server, oldText, plainSerial)
		if got := lookupA(server, "added."+plainZone); got != "" {
			t.Errorf("after %s, added.%s is served: %s", how, plainZone, got)
		}
		if got := lookupA(server, "new.example.com"); got != "" {
			t.Errorf("after %s, example.com's edit was applied: new.example.com is %s", how, got)
		}
		if got := soaOf(server, "example.com"); got != failSerial {
			t.Errorf("after %s, example.com's serial moved %d -> %d", how, failSerial, got)
		}
	}
	wantRefusal := func(t *testing.T, msg, why string, serial, last uint32) {
		t.Helper()
		for _, want := range []string{
			"nothing of the new config applied",
			"zone " + plainZone + ": " + plainTmpl + " has no @serial number@ marker and " + why,
			fmt.Sprintf("(it is %d, the last published %d): raise the serial in its SOA", serial, last),
		} {
			if !strings.Contains(msg, want) {
				t.Errorf("the refusal does not say %q:\n%s", want, msg)
			}
		}
	}

	t.Run("SIGHUP, same serial", func(t *testing.T) {
		d.cmd.Process.Signal(syscall.SIGHUP)
		line := waitForLogCount(t, d, "config reload failed", 1, 10*time.Second)
		wantRefusal(t, line, "its content changed but its serial did not", plainSerial, plainSerial)
		stillOld(t, "the refused SIGHUP")
	})
	t.Run("zonerw reload, same serial", func(t *testing.T) {
		code, out, errOut := runZonerw(t, "reload", "-c", cfg)
		if code != 1 {
			t.Errorf("zonerw reload: exit %d, want 1\n%s%s", code, out, errOut)
		}
		wantRefusal(t, errOut, "its content changed but its serial did not", plainSerial, plainSerial)
		stillOld(t, "the refused zonerw reload")
		// The refusal is the reload's (its caller and the log are told);
		// the zone itself still serves what it served.
		checkStatusSerial(t, cfg, plainSerial, false)
	})
	if t.Failed() {
		t.FailNow()
	}

	bumped := plainSerial + 1
	writeFile(t, plainTmpl, edited(bumped))
	code, out, errOut := runZonerw(t, "reload", "-c", cfg)
	if code != 0 || strings.TrimSpace(out) != "config reloaded" {
		t.Fatalf("zonerw reload with the serial raised: exit %d\n%s%s", code, out, errOut)
	}
	checkServedAsWritten(t, server, edited(bumped), bumped)
	if got := lookupA(server, "www."+plainZone); got != "192.0.2.81" {
		t.Errorf("www.%s is %q after the reload, want 192.0.2.81", plainZone, got)
	}
	if got := lookupA(server, "new.example.com"); got != "127.0.0.99" {
		t.Errorf("new.example.com is %q after the reload, want 127.0.0.99", got)
	}
	failSerial2 := soaOf(server, "example.com")
	if !serialGreater(failSerial2, failSerial) {
		t.Errorf("example.com changed with serial %d, not above %d", failSerial2, failSerial)
	}
	checkStatusSerial(t, cfg, bumped, true)

	// Below the published serial, with other content: refused as well.
	lowered := plainTemplate(plainSerial, "192.0.2.83", "")
	writeFile(t, plainTmpl, lowered)
	code, out, errOut = runZonerw(t, "reload", "-c", cfg)
	if code != 1 {
		t.Errorf("zonerw reload with the serial lowered: exit %d, want 1\n%s%s", code, out, errOut)
	}
	wantRefusal(t, errOut, "its serial is below the last one published", plainSerial, bumped)
	checkServedAsWritten(t, server, edited(bumped), bumped)

	// The plain zone as published, only the failover zone edited: the
	// reload goes through and the plain zone keeps its serial.
	writeFile(t, plainTmpl, edited(bumped))
	writeFile(t, failTmpl, cronTemplate+"new 300 IN A 127.0.0.98\n")
	d.cmd.Process.Signal(syscall.SIGHUP)
	pollAlive(t, d, 10*time.Second, "new.example.com at 127.0.0.98", func() bool {
		return lookupA(server, "new.example.com") == "127.0.0.98"
	})
	checkServedAsWritten(t, server, edited(bumped), bumped)
	if n := strings.Count(d.log(), "config reload failed"); n != 3 {
		t.Errorf("%d failed reloads logged, want the 3 refused ones", n)
	}
	d.stop(t)
}
