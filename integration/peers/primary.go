package peers

import (
	"fmt"
	"net/netip"
)

// NSDPrimaryConfig is an nsd.conf for NSD serving zone (no final dot)
// from dir/zonefile as its primary, on listen, with Debian's defaults for
// everything an operator would leave alone (response rate limiting
// included), so that zonerw can be measured beside NSD as shipped.
func NSDPrimaryConfig(dir string, listen netip.AddrPort, zone, zonefile string) string {
	return fmt.Sprintf(`server:
  ip-address: %[2]s@%[3]d
  username: ""
  chroot: ""
  database: ""
  zonesdir: "%[1]s"
  zonelistfile: "%[1]s/zone.list"
  xfrdfile: "%[1]s/xfrd.state"
  xfrdir: "%[1]s/xfr"
  pidfile: "%[1]s/nsd.pid"
  logfile: "%[1]s/nsd.log"
  server-count: 1
remote-control:
  control-enable: no
zone:
  name: %[4]s
  zonefile: "%[5]s"
`, dir, listen.Addr(), listen.Port(), zone, zonefile)
}
