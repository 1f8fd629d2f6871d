package publish

import (
	"math/rand/v2"
	"net/netip"
	"slices"
	"strings"
	"testing"

	"github.com/miekg/dns"
	"github.com/zonerw/zonerw/templates"
	"github.com/zonerw/zonerw/zones"
)

const tmplText = `$ORIGIN example.com.
$TTL 3600
; @serial number@ and @IP@ are filled in by zonerw
@ IN SOA ns1 hostmaster ( @serial number@ 3600 900 1209600 300 )
  IN NS ns1
  IN A @IP@
ns1 IN A 127.0.0.53
www 300 IN A 127.0.0.10 ; @IP@
www IN AAAA ( 2001:db8::10 ; @IPV6:web@
  )
mail IN A @IP:mail@
ftp IN CNAME www
`

func testServices() []templates.Service {
	return []templates.Service{
		{Name: "web", Targets: []templates.Target{
			{Name: "main", IPv4: addrs("127.0.0.10"), IPv6: addrs("2001:db8::10")},
			{Name: "backup", IPv4: addrs("127.0.0.20"), IPv6: addrs("2001:db8::20")},
		}},
		{Name: "mail", Targets: []templates.Target{
			{Name: "main", IPv4: addrs("127.0.0.25")}, {Name: "backup", IPv4: addrs("127.0.0.26")},
		}},
	}
}

func addrs(ss ...string) []netip.Addr {
	var out []netip.Addr
	for _, s := range ss {
		out = append(out, netip.MustParseAddr(s))
	}
	return out
}

func newZone(t *testing.T, text string) *Zone {
	t.Helper()
	tmpl, err := templates.Parse("example.com.tmpl", []byte(text), testServices(), "web")
	if err != nil {
		t.Fatal(err)
	}
	return &Zone{Name: "example.com.", Template: tmpl, Policy: zones.DateSerial, OverrideTTL: map[string]bool{"web": true}}
}

func compile(t *testing.T, z *Zone) *Compiled {
	t.Helper()
	c, err := Compile(z)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func sortedTexts(rrs []dns.RR) []string {
	var out []string
	for _, rr := range rrs {
		out = append(out, rr.String())
	}
	slices.Sort(out)
	return out
}

// randomValues picks, for each service, one to three of its targets'
// addresses (all_down: all serves several) and maybe a failover TTL.
func randomValues(r *rand.Rand) Values {
	v := Values{Active: map[string]templates.Addrs{}, TTL: map[string]uint32{}}
	for _, s := range testServices() {
		var a templates.Addrs
		for _, t := range s.Targets {
			if r.IntN(2) == 0 || len(a.IPv4) == 0 {
				a.IPv4 = append(a.IPv4, t.IPv4...)
				a.IPv6 = append(a.IPv6, t.IPv6...)
			}
		}
		v.Active[s.Name] = a
		if r.IntN(2) == 0 {
			v.TTL[s.Name] = uint32(30 + r.IntN(100))
		}
	}
	return v
}

// TestCompiledVersionEqualsTheRender is the property the patch path rests
// on: the version made by filling the slots holds exactly the records the
// rendered template parses to, for any addresses and TTLs.
func TestCompiledVersionEqualsTheRender(t *testing.T) {
	z := newZone(t, tmplText)
	c := compile(t, z)
	r := rand.New(rand.NewPCG(1, 2))
	for i := range 200 {
		v := randomValues(r)
		serial := uint32(2026120200 + i)
		got, err := c.Version(serial, v)
		if err != nil {
			t.Fatal(err)
		}
		text, err := z.Template.Render(templates.Values{Serial: serial, Active: v.Active, TTL: v.TTL})
		if err != nil {
			t.Fatal(err)
		}
		want, err := zones.ParseVersion(z.Name, "render", text, zones.ParseOptions{})
		if err != nil {
			t.Fatalf("values %+v: the render does not parse: %v", v, err)
		}
		if g, w := sortedTexts(got.AllRecords()), sortedTexts(want.AllRecords()); !slices.Equal(g, w) {
			t.Fatalf("values %+v:\ncompiled %q\nrendered %q", v, g, w)
		}
		if got.Digest() != want.Digest() || got.Serial() != serial {
			t.Fatalf("digest %s vs %s, serial %d", got.Digest(), want.Digest(), got.Serial())
		}
	}
}

func TestCompileErrorsNameTheTemplateLine(t *testing.T) {
	tests := []struct {
		name, text, want string
	}{
		{name: "CNAME beside a marker record", text: tmplText + "ftp IN A @IP@\n",
			want: "zone example.com.: the rendered template is not a valid zone: example.com.tmpl (rendered):12: ftp.example.com. CNAME: CNAME beside other data (A)"},
		{name: "TTL lent to the next record", text: strings.Replace(tmplText, "$TTL 3600\n", "", 1),
			want: "zone example.com.: example.com.tmpl:6: this record has no TTL and no $TTL line comes before it"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Compile(newZone(t, tt.text))
			if err == nil || !strings.HasPrefix(err.Error(), tt.want) {
				t.Fatalf("error %v\nwant it to start %q", err, tt.want)
			}
		})
	}
}

func TestFixedSerialTemplate(t *testing.T) {
	z := newZone(t, strings.Replace(tmplText, "( @serial number@", "( 2024010107", 1))
	c := compile(t, z)
	if !c.FixedSerial || c.TemplateSerial() != 2024010107 {
		t.Fatalf("fixed %v, serial %d", c.FixedSerial, c.TemplateSerial())
	}
	v, err := c.Version(99, Values{Active: map[string]templates.Addrs{"web": {IPv4: addrs("127.0.0.10"), IPv6: addrs("2001:db8::10")}, "mail": {IPv4: addrs("127.0.0.25")}}})
	if err != nil || v.Serial() != 2024010107 {
		t.Fatalf("version %v, %v: want the template's serial", v, err)
	}
}

func TestMissingValuesAreAnError(t *testing.T) {
	c := compile(t, newZone(t, tmplText))
	_, err := c.Version(1, Values{Active: map[string]templates.Addrs{"web": {IPv4: addrs("127.0.0.10"), IPv6: addrs("2001:db8::10")}}})
	if want := `no IPv4 address given for service "mail"`; err == nil || !strings.Contains(err.Error(), want) {
		t.Fatalf("error %v, want %q", err, want)
	}
}
