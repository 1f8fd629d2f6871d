package importer

import (
	"encoding/base64"
	"fmt"
	"path/filepath"
	"regexp"
	"strings"
)

// keyFiles prepares each key's file and returns the path the YAML names
// for it: under keyDir (absolute) when one is given, else NAME.key beside
// the config, with a note that it was not written.
func keyFiles(s *setup, keyDir string) ([]KeyFile, func(Key) string, error) {
	names := map[string]string{}
	for _, k := range s.Keys {
		base, err := keyFileName(k)
		if err != nil {
			return nil, nil, err
		}
		if other, dup := names[base]; dup {
			return nil, nil, fmt.Errorf("%s: key %s: another key (%s) needs the same file name %s", k.Src, k.Name, other, base)
		}
		names[base] = k.Name
	}
	if keyDir == "" {
		for _, k := range s.Keys {
			s.note(k.Src, "key %s: not written (its secret stays in the source); run again with --write-keys DIR, or write %s with tsig-keygen", k.Name, mustKeyFileName(k))
		}
		return nil, mustKeyFileName, nil
	}
	abs, err := filepath.Abs(keyDir)
	if err != nil {
		return nil, nil, fmt.Errorf("key directory: %w", err)
	}
	var out []KeyFile
	for _, k := range s.Keys {
		out = append(out, KeyFile{Name: k.Name, Path: filepath.Join(abs, mustKeyFileName(k)), Data: keyFileText(k)})
	}
	return out, func(k Key) string { return filepath.Join(abs, mustKeyFileName(k)) }, nil
}

// algorithmShape is what a TSIG algorithm name looks like (hmac-sha256).
var algorithmShape = regexp.MustCompile(`^[A-Za-z0-9.-]+$`)

// keyFileName is NAME.key, for names a file can carry.
func keyFileName(k Key) (string, error) {
	if k.Name == "" || strings.ContainsAny(k.Name, "/\\\x00\"") || strings.HasPrefix(k.Name, ".") {
		return "", fmt.Errorf("%s: key %q: the name cannot be a file name", k.Src, k.Name)
	}
	if !algorithmShape.MatchString(k.Algorithm) {
		return "", fmt.Errorf("%s: key %s: %q is not an algorithm name", k.Src, k.Name, k.Algorithm)
	}
	if _, err := base64.StdEncoding.DecodeString(k.Secret); err != nil {
		return "", fmt.Errorf("%s: key %s: the secret is not base64", k.Src, k.Name)
	}
	return strings.TrimSuffix(k.Name, ".") + ".key", nil
}

func mustKeyFileName(k Key) string { n, _ := keyFileName(k); return n }

// keyFileText is the key in the format tsig-keygen writes and zonerw
// reads.
func keyFileText(k Key) []byte {
	return []byte(fmt.Sprintf("key \"%s\" {\n\talgorithm %s;\n\tsecret \"%s\";\n};\n", k.Name, k.Algorithm, k.Secret))
}
