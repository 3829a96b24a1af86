// Package soakrun is the soak as `make soak` runs it, from the environment
// to the verdict: it reads DURATION, CRITERIA (unset: the bot profile's
// criteria:, else presoak's; harness/profile.Pick), FAULTS, RESUME, ON_STOP and
// CONFIG (with TARGET and co.), refuses what cannot work before anything
// starts, opens the harness's target (the embedded engine, recording its
// calibration dataset, or a running bot), runs harness/soak under the stop
// criteria with the incident bundle watching, and returns the report and
// one judgement per criterion. readiness's TestSoak (build tag soak) is a
// thin test over it; everything here is compiled, vetted and tested by
// `make test`. It never imports testing.
package soakrun
