package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"time"

	"github.com/miekg/dns"
	"github.com/zonerw/zonerw/cmd/zonerw/config"
	"github.com/zonerw/zonerw/cmd/zonerw/signer"
	"github.com/zonerw/zonerw/zones/dnssec"
)

const dnssecSynopsis = "zonerw dnssec [-c FILE] ds|keys|rollover|submitted [--ttl D] ZONE"

// runDNSSEC is `zonerw dnssec ACTION ZONE`:
//
//	ds         print the DS record to give the parent (and its DNSKEY)
//	keys       list the zone's keys and where each is in its life
//	rollover   start a KSK (ksk+zsk) or CSK rollover
//	submitted  say the parent holds the new key's DS (for a parent
//	           zonerw cannot ask: no dnssec.parents)
//
// rollover and submitted go to the daemon when one runs (it signs the
// zone anew at once); otherwise they change the key file and the next
// run signs with it.
func runDNSSEC(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("zonerw dnssec", dnssecSynopsis, stdout, stderr)
	cfgPath := fs.String("c", defaultConfig, "config file")
	ttl := fs.Duration("ttl", time.Hour, "submitted: the TTL of the parent's DS")
	code, rest, ok := parseWithArgs(fs, args, stdout, 2)
	if !ok {
		return code
	}
	action, zone := rest[0], dns.CanonicalName(rest[1])
	cfg, err := config.Load(*cfgPath)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return exitFailure
	}
	z, err := signedZoneConfig(cfg, zone)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return exitFailure
	}
	switch action {
	case "ds", "keys":
		err = printKeys(stdout, cfg, z, action == "keys")
	case "rollover":
		err = keyChange(ctx, stdout, cfg, z, "/dnssec/rollover/"+url.PathEscape(zone), func(k *dnssec.Keeper) (dnssec.Step, error) {
			return k.StartRollover(time.Now())
		})
	case "submitted":
		err = keyChange(ctx, stdout, cfg, z, "/dnssec/submitted/"+url.PathEscape(zone)+"?ttl="+ttl.String(), func(k *dnssec.Keeper) (dnssec.Step, error) {
			return k.Submitted(time.Now(), *ttl)
		})
	default:
		fmt.Fprintf(stderr, "zonerw dnssec: unknown action %q (ds, keys, rollover or submitted)\n", action)
		return exitUsage
	}
	if err != nil {
		fmt.Fprintln(stderr, err)
		return exitFailure
	}
	return exitOK
}

// signedZoneConfig is the config of zone, which must be signed.
func signedZoneConfig(cfg *config.Config, zone string) (config.Zone, error) {
	for _, z := range cfg.Zones {
		if dns.CanonicalName(z.Name) == zone {
			if !z.DNSSEC.Enabled {
				return z, fmt.Errorf("zone %s: dnssec is not enabled in %s", zone, cfg.File)
			}
			return z, nil
		}
	}
	return config.Zone{}, fmt.Errorf("zone %s is not in %s", zone, cfg.File)
}

// errNoKeys is returned when a zone has not been signed yet.
var errNoKeys = errors.New("no keys yet: they are made the first time zonerw (serve, or a cron run) signs the zone")

// printKeys prints the DS for the parent, or with all every key.
func printKeys(w io.Writer, cfg *config.Config, z config.Zone, all bool) error {
	k, err := dnssec.OpenExisting(signer.KeysDir(cfg.StateDir), z.Name, signer.Policy(z.DNSSEC))
	if err != nil {
		return err
	}
	if k == nil {
		return fmt.Errorf("zone %s: %w", dns.CanonicalName(z.Name), errNoKeys)
	}
	ks, _ := k.Keys()
	if !all {
		fmt.Fprint(w, signer.DSText(ks))
		return nil
	}
	for _, key := range ks.Keys {
		fmt.Fprintf(w, "%s since %s\n", key, key.Since.UTC().Format(time.RFC3339))
	}
	if ks.Rolling {
		fmt.Fprintln(w, "a rollover is under way")
	}
	return nil
}

// keyChange asks the daemon to apply a key change, or applies it to the
// key file when no daemon runs.
func keyChange(ctx context.Context, out io.Writer, cfg *config.Config, z config.Zone, path string, fn func(*dnssec.Keeper) (dnssec.Step, error)) error {
	err := adminCall(ctx, cfg.StateDir, "POST", path, nil, nil)
	if err == nil {
		fmt.Fprintln(out, "done: the daemon signed the zone with its keys as they are now (zonerw dnssec keys shows them)")
	}
	if !errors.Is(err, errNoDaemon) {
		return err
	}
	k, err := dnssec.OpenExisting(signer.KeysDir(cfg.StateDir), z.Name, signer.Policy(z.DNSSEC))
	if err != nil {
		return err
	}
	if k == nil {
		return fmt.Errorf("zone %s: %w", dns.CanonicalName(z.Name), errNoKeys)
	}
	step, err := fn(k)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "%s (no daemon running: the next run signs with it)\n", step.What)
	return nil
}

// printDNSSEC adds each signed zone's DS to zonerw status.
func printDNSSEC(w io.Writer, cfg *config.Config) {
	for _, z := range cfg.Zones {
		if !z.DNSSEC.Enabled {
			continue
		}
		k, err := dnssec.OpenExisting(signer.KeysDir(cfg.StateDir), z.Name, signer.Policy(z.DNSSEC))
		switch {
		case err != nil:
			fmt.Fprintf(w, "\ndnssec %s: %v\n", z.Name, err)
		case k == nil:
			fmt.Fprintf(w, "\ndnssec %s: %v\n", z.Name, errNoKeys)
		default:
			ks, _ := k.Keys()
			fmt.Fprintf(w, "\ndnssec %s: give the parent this DS:\n%s", dns.CanonicalName(z.Name), signer.DSText(ks))
		}
	}
}
