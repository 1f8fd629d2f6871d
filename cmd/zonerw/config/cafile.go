package config

import (
	"crypto/x509"
	"errors"
	"fmt"
	"os"
)

// loadCAFiles reads each check's ca_file into its RootCAs, so a missing or
// unreadable file is an error when the config loads, not a failed probe.
func (c *Config) loadCAFiles() error {
	var errs []error
	for i := range c.Services {
		ch := &c.Services[i].Check
		if ch.CAFile == "" {
			continue
		}
		pool, err := readCAFile(ch.CAFile)
		if err != nil {
			errs = append(errs, c.loc.errorf(at("services", i, "check", "ca_file"), "%v", err))
			continue
		}
		ch.RootCAs = pool
	}
	return errors.Join(errs...)
}

func readCAFile(path string) (*x509.CertPool, error) {
	pem, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		return nil, fmt.Errorf("%s holds no PEM certificate", path)
	}
	return pool, nil
}
