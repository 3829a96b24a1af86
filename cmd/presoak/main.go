// Command presoak is the harness's command line: thin wiring from flags and
// environment (CONFIG, TARGET, CRITERIA, DURATION, ...) to the readiness,
// safety, monitoring and report packages. Each subcommand lives in its own
// file and registers itself in init.
//
// Usage: presoak <command> [flags]; `presoak help` lists the commands.
package main

import (
	"fmt"
	"os"
	"sort"
)

// command is one subcommand. run gets the arguments after the command name
// and returns the process exit code.
type command struct {
	summary string
	run     func(args []string) int
}

var commands = map[string]command{}

// register adds a subcommand; it is called from init in each command's file.
func register(name, summary string, run func(args []string) int) {
	if _, dup := commands[name]; dup {
		panic("presoak: command registered twice: " + name)
	}
	commands[name] = command{summary: summary, run: run}
}

func main() {
	if len(os.Args) < 2 || os.Args[1] == "help" || os.Args[1] == "-h" || os.Args[1] == "--help" {
		usage()
		if len(os.Args) < 2 {
			os.Exit(2)
		}
		return
	}
	cmd, ok := commands[os.Args[1]]
	if !ok {
		fmt.Fprintf(os.Stderr, "presoak: unknown command %q\n", os.Args[1])
		usage()
		os.Exit(2)
	}
	setupHome(os.Args[1]) // team.go: the team's tree and presoak's own data
	os.Exit(cmd.run(os.Args[2:]))
}

func usage() {
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	fmt.Fprintln(os.Stderr, "usage: presoak <command> [flags]\n\ncommands:")
	for _, n := range names {
		fmt.Fprintf(os.Stderr, "  %-16s %s\n", n, commands[n].summary)
	}
}
