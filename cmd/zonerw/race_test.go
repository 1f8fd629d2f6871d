//go:build race

package main

// raceBuild is set under -race, which makes the property test some ten
// times slower: it then runs fewer sequences.
const raceBuild = true
