// Package stack brings up and tears down a real local monitoring stack for a
// soak: a Prometheus server (the pinned release, built by make deps; see
// package prombin) on a free loopback port with the generated presoak rules loaded, scraping one bot — the one
// already answering at an address, a given /metrics URL, or the reference bot
// (cmd/mmbot) built and started for the occasion.
//
// Up starts what is missing, waits until Prometheus answers /-/ready, and
// records every process it started (pid, command, log) and the URLs in a
// state file (state.json in the stack directory), so that another process
// (`presoak monitor-down`) can stop exactly those processes later. A failed
// Up stops what it had started. Stop by pid checks /proc/<pid>/cmdline first,
// so a recycled pid is never signalled.
//
// Nothing listens beyond loopback: Prometheus gets --web.listen-address
// 127.0.0.1:<free port> and the bot a loopback address.
//
// How not to use this package: do not point two stacks at one directory (the
// second overwrites the first's state file), and do not kill the processes by
// name — call Down or StopState so the state file stays true.
package stack
