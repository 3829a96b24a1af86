// Package archtest holds the test that keeps the import rules of
// ARCHITECTURE.md ("what may import what"): it reads every package of the
// module with `go list -json` (the soak and shadow tags included) and fails
// naming each import that breaks a rule. It has no code of its own.
package archtest
