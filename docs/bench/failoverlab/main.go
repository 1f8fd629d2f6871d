// Command failoverlab is the measuring half of docs/bench/failover-lab.sh:
// it serves the lab's web targets, watches one switch reach every
// nameserver, and summarises the switches. The script starts and stops
// everything; this program only talks to loopback addresses it is given.
//
//	failoverlab web ADDR...         answer HTTP 200 on each ADDR until SIGTERM
//	failoverlab watch FLAGS         time one switch at every server (see watch.go)
//	failoverlab summary FILE...     median and max per label and server
//	failoverlab profile FLAGS       a perf recording split into the switches (see profile.go)
package main

import (
	"fmt"
	"io"
	"os"
)

func main() { os.Exit(run(os.Args[1:], os.Stdout, os.Stderr)) }

func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprintln(stderr, "usage: failoverlab web|watch|summary|profile ...")
		return 2
	}
	var err error
	switch args[0] {
	case "web":
		err = web(args[1:])
	case "watch":
		err = watch(args[1:], stdout)
	case "summary":
		err = summary(args[1:], stdout)
	case "profile":
		err = profile(args[1:], os.Stdin, stdout)
	default:
		err = fmt.Errorf("unknown command %q: want web, watch, summary or profile", args[0])
	}
	if err != nil {
		fmt.Fprintln(stderr, "failoverlab:", err)
		return 1
	}
	return 0
}
