// Package pipelines holds example CI files that run presoak in a team's
// repository (github/presoak.yml for GitHub Actions, gitlab/.gitlab-ci.yml
// for GitLab CI) and the test that checks their jobs: the gate on a pull or
// merge request with its JUnit report published and the reports kept, the
// soak as a scheduled or manual job with its duration. `make pipeline-check`
// also runs actionlint on the GitHub workflow.
package pipelines
