//go:build !race

package main

// raceBuild is set under -race (see race_test.go).
const raceBuild = false
