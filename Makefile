# presoak — pre-soak readiness harness. `make help` lists the targets.
#
# Variables (see README): CONFIG, TARGET, SCRAPE_URL, PROMETHEUS_URL, SELECTOR,
# CRITERIA, DURATION, ADDR, APPLY, RESUME, ON_STOP.

SHELL := /bin/bash
GO    ?= go

# With PROFILE, CONFIG is empty by default: the profile's config.layers are the bot's.
REF_CONFIG := fixtures/config.yaml,fixtures/config.soak_overrides.yaml
CONFIG   ?= $(if $(PROFILE),,$(REF_CONFIG))
TARGET   ?= $(if $(PROFILE),,embedded)  # with PROFILE, the profile's target.kind
# CRITERIA and BUDGETS have no default here: unset (or empty), presoak uses
# the bot profile's criteria: and budgets: (PROFILE), else its own
# fixtures/criteria.yaml and fixtures/budgets.yaml (harness/profile.Pick).
CRITERIA ?=
BUDGETS  ?=
ADDR     ?= 127.0.0.1:9100
REPORTS  := artifacts/reports

# With PROFILE, its absolute path as PRESOAK_PROFILE: the team's tree is the
# profile's repository for every target (go test's binaries run elsewhere).
PRESOAK_PROFILE ?= $(if $(PROFILE),$(abspath $(PROFILE)))

export CONFIG TARGET CRITERIA BUDGETS SCRAPE_URL PROMETHEUS_URL SELECTOR ADDR PROFILE PRESOAK_PROFILE

.PHONY: help deps readiness test vet

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed -E 's/:.*## /\t/' | column -t -s $$'\t'

# promtool and the Prometheus server, built from the Prometheus release pinned
# in tools/go.mod (its own module: Prometheus's dependency tree stays out of
# presoak's build). Rebuilt only when tools/go.mod or tools/go.sum change; the
# first build takes minutes (README), later ones come from Go's build cache.
# remove_all_sd (Prometheus's own build tag) leaves out the cloud service
# discovery plugins (static, file and http targets stay): presoak's servers
# scrape static targets, and PromQL, rules and the TSDB are the release's.
PROM_BINS    := bin/promtool bin/prometheus
PROM_MODVER  := $(shell awk '$$1 == "github.com/prometheus/prometheus" { print $$2 }' tools/go.mod)
PROM_RELEASE := $(shell echo '$(PROM_MODVER)' | awk -F. '{ printf "%d.%d.%d", substr($$2, 1, length($$2) - 2), substr($$2, length($$2) - 1), $$3 }')
PROM_LDFLAGS := -X github.com/prometheus/common/version.Version=$(PROM_RELEASE) -X github.com/prometheus/common/version.Branch=$(PROM_MODVER)
deps: $(PROM_BINS) ## install what the tests need, with Go alone (no root): Go modules, and promtool + prometheus built from the release pinned in tools/go.mod into bin/
	@$(GO) mod download

$(PROM_BINS) &: tools/go.mod tools/go.sum
	@echo "make deps: building promtool and prometheus $(PROM_RELEASE) ($(PROM_MODVER), tools/go.mod) into bin/ (first build: minutes; cached after)"
	@mkdir -p bin
	@$(GO) -C tools build -tags remove_all_sd -ldflags '$(PROM_LDFLAGS)' -o ../bin/ github.com/prometheus/prometheus/cmd/promtool github.com/prometheus/prometheus/cmd/prometheus
	@touch $(PROM_BINS)

vet: ## go vet (untagged, and with the soak and shadow tags) and gofmt
	$(GO) vet ./...
	$(GO) vet -tags soak,shadow ./...
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt would change: $$out"; exit 1; fi

test: deps vet first-run pipeline-check ## the project's own tests (what CI runs)
	$(GO) test -race -timeout 20m ./...

.PHONY: pipeline-check
pipeline-check: ## the example pipelines (examples/pipelines): actionlint (tools/lint) on the GitHub workflow, which must reject a broken one; the example team module's vet and tests
	cd tools/lint && $(GO) tool actionlint -config-file ../../examples/pipelines/github/actionlint.yaml ../../examples/pipelines/github/presoak.yml
	@cd tools/lint && if $(GO) tool actionlint ../../examples/pipelines/testdata/broken-workflow.yml >/dev/null; then echo "actionlint passed a broken workflow"; exit 1; fi
	cd examples/team && $(GO) vet ./... && $(GO) test ./teamcheck/

# The checklist reads two pieces of evidence that a clean clone has not made
# yet: the flag snapshot (Safety) and the generated monitoring rules
# (Monitoring). first-run makes each one only when it is MISSING; a stale one
# is left alone, so the checklist still reports it with its fix. `presoak
# readiness` (make readiness) makes them itself, after checking the config,
# and a step that fails is a note in the report, not a run without one.
.PHONY: first-run
first-run: ## make the flag snapshot and the monitoring rules when missing (never refreshes stale ones)
	@test -f artifacts/release/FEATURE_FLAGS_SNAPSHOT.json || { echo "first run: no flag snapshot yet, taking one (make snapshot)"; $(GO) run ./cmd/presoak snapshot; }
	@test -f artifacts/monitoring/presoak.rules.yml || { echo "first run: no monitoring rules yet, generating them (make monitoring)"; $(GO) run ./cmd/presoak monitoring; }

# readiness installs what it needs (make deps; if that fails the checklist
# still runs and its items say what is missing), checks the config (one that
# does not load is reported at once, no test run), makes the first-run
# evidence, runs the checklist, and always writes the three reports.
readiness: ## the pre-soak checklist on CONFIG (+ the applied rollback layer); TARGET=scrape|prometheus also checks the running bot's flags and measures its Baseline/MD-Cache for READINESS_SAMPLE (default 20s), CONFIG= reads them from its metrics only; JUnit + Markdown reports (exit 0 ready, 1 blocking failed, 2 not run)
	@$(MAKE) --no-print-directory deps || echo "make readiness: make deps failed (above); running the checklist anyway: its items say what is missing"
	@mkdir -p $(REPORTS) bin
	@$(GO) build -o bin/presoak ./cmd/presoak || exit 2
	@GO=$(GO) ./bin/presoak readiness -reports $(REPORTS); rc=$$?; \
	  echo "make readiness: reports in $(REPORTS)/ (PRE_SOAK_REPORT.md, readiness.junit.xml, readiness.json); exit $$rc"; exit $$rc

.PHONY: snapshot rollback restore prepare-soak
snapshot: ## write artifacts/release/FEATURE_FLAGS_SNAPSHOT.json (flags, limits, provenance) from CONFIG; with PROFILE: FEATURE_FLAGS_SNAPSHOT.profile.json (the bot's config files' SHA-256, its rollback targets)
	@$(GO) run ./cmd/presoak snapshot

rollback: ## preview the feature-flag rollback key by key; APPLY=1 writes the rollback layer and verifies it; with PROFILE: rolled-back copies of the bot's config in artifacts/release/profile-rollback/ for your deploy to load
	@$(GO) run ./cmd/presoak rollback $(if $(filter 1 true yes,$(APPLY)),-apply)

restore: ## undo a rollback: remove the rollback layer, verify the config hash equals the snapshot's; with PROFILE: remove the rolled-back copies, verify every bot config file hashes to the snapshot's
	@$(GO) run ./cmd/presoak restore

prepare-soak: ## the seed's quick-fix script: overrides, soak criteria, snapshot, rollback dry run, directories (PROFILE: the bot's own config files, items, rollback targets and log directories)
	@$(GO) run ./cmd/presoak prepare-soak

.PHONY: bot
bot: ## the reference bot in shadow mode on the real clock, serving /metrics at ADDR (FAULTS=plan.yaml optional)
	$(GO) run ./cmd/mmbot -addr $(ADDR) -config $(CONFIG) $(if $(FAULTS),-faults $(FAULTS))

.PHONY: bench
bench: ## latency budgets: per-stage benchmarks (modeled p50/p95/p99), then the stage/p50/p95/p99/budget/verdict table; exit 1 when over
	$(GO) test -run '^$$' -bench . -benchtime 3000x ./bench
	@$(GO) run ./cmd/presoak bench

.PHONY: shadow baseline-freeze
# make shadow's run length: DURATION from the command line or environment, else 60m.
SHADOW_DURATION = $(if $(filter command environment,$(firstword $(origin DURATION))),$(DURATION),60m)
shadow: ## shadow baseline on the real clock for DURATION (default 60m): artifacts/baseline/, a calibration dataset in artifacts/edge/datasets/shadow-<time>/, $(REPORTS)/shadow.junit.xml; TARGET=scrape|prometheus measures a running bot (fleet: artifacts/baseline/instances/<bot>/)
	@mkdir -p $(REPORTS)
	@d='$(SHADOW_DURATION)'; to=$$($(GO) run ./cmd/presoak baseline timeout "$$d") || exit 2; \
	  echo "make shadow: TARGET=$(TARGET), DURATION=$$d, go test -timeout $$to (Ctrl-C stops early and still writes the artifacts, marked partial)"; \
	  DURATION="$$d" $(GO) tool gotestsum --format standard-verbose --jsonfile $(REPORTS)/shadow.json -- \
	    -tags shadow -count=1 -run '^TestShadowBaseline$$' -timeout "$$to" ./readiness/; rc=$$?; \
	  $(GO) run ./cmd/presoak junit -name shadow -in $(REPORTS)/shadow.json -out $(REPORTS)/shadow.junit.xml; \
	  echo "make shadow: exit $$rc; a run that measured writes artifacts/baseline/ (stage_budgets.json, visualization.md, stage_budgets.svg; a fleet: one per bot under instances/), the embedded engine's dataset under artifacts/edge/datasets/; checks in $(REPORTS)/shadow.junit.xml"; exit $$rc

baseline-freeze: ## keep artifacts/baseline/stage_budgets.json as the reference (artifacts/baseline/frozen/); later shadow runs compare with it; BASELINE_DIR=artifacts/baseline/instances/<bot> for one bot of a fleet
	@$(GO) run ./cmd/presoak baseline freeze -dir '$(or $(BASELINE_DIR),artifacts/baseline)'

.PHONY: soak
# make soak's run length: DURATION from the command line or environment, else 72h.
SOAK_DURATION = $(if $(filter command environment,$(firstword $(origin DURATION))),$(DURATION),72h)
soak: ## soak TARGET under CRITERIA on the real clock for DURATION (default 72h): artifacts/soak/ (incident-*/ on a stop), $(REPORTS)/soak.junit.xml, calibration dataset (embedded); RESUME=1 continues, FAULTS=plan.yaml injects (embedded), ON_STOP=rollback applies the rollback on a stop
	@mkdir -p $(REPORTS) artifacts/soak && touch $(REPORTS)/.soak.start
	@d='$(SOAK_DURATION)'; to=$$($(GO) run ./cmd/presoak baseline timeout "$$d") || exit 2; \
	  echo "make soak: DURATION=$$d TARGET=$(TARGET) CRITERIA=$(or $(CRITERIA),<the profile's criteria: or fixtures/criteria.yaml>), go test -timeout $$to (Ctrl-C stops it and still writes the report, marked interrupted; RESUME=1 continues)"; \
	  DURATION="$$d" RESUME='$(RESUME)' FAULTS='$(FAULTS)' ON_STOP='$(ON_STOP)' $(GO) tool gotestsum --format standard-verbose --jsonfile $(REPORTS)/soak.json -- \
	    -tags soak -count=1 -run '^TestSoak$$' -timeout "$$to" ./readiness/; rc=$$?; \
	  $(GO) run ./cmd/presoak junit -name soak -in $(REPORTS)/soak.json -out $(REPORTS)/soak.junit.xml; \
	  wrote=; for f in artifacts/soak/samples.jsonl artifacts/soak/soak_report.json artifacts/soak/soak_report.md $(REPORTS)/soak.junit.xml; do \
	    if [ -s "$$f" ] && [ "$$f" -nt $(REPORTS)/.soak.start ]; then wrote="$$wrote $$f"; else echo "make soak: NOT written: $$f"; fi; done; \
	  rm -f $(REPORTS)/.soak.start; echo "make soak: wrote$${wrote:- nothing} (and artifacts/soak/incident-<time>/ if it stopped); exit $$rc"; exit $$rc

.PHONY: monitoring
monitoring: ## Prometheus rules, Grafana dashboard, dashboard checklist from CRITERIA (PROFILE or METRIC_NAMES, SELECTOR, BASELINE optional)
	@$(GO) run ./cmd/presoak monitoring

.PHONY: monitor monitor-down
monitor: monitoring ## local Prometheus on loopback with the rules, scraping SCRAPE_URL or the bot at ADDR (started if none; FAULTS optional); prints its URL
	@FAULTS=$(FAULTS) $(GO) run ./cmd/presoak monitor

monitor-down: ## stop what make monitor / make launch started (soak, Prometheus, bot) and verify it is gone
	@$(GO) run ./cmd/presoak monitor-down

.PHONY: launch
# make launch's soak length: DURATION from the command line or environment, else 72h.
LAUNCH_DURATION = $(if $(filter command environment,$(firstword $(origin DURATION))),$(DURATION),72h)
launch: ## the launch checklist: pre-flight (prepare-soak, readiness, SHADOW_DURATION shadow, default 1m), monitoring up, alerting loaded, soak started in the background (TARGET; FOREGROUND=1 waits for it), collection verified; LAUNCH.md
	@FAULTS=$(FAULTS) $(GO) run ./cmd/presoak launch -duration '$(LAUNCH_DURATION)' $(if $(filter 1 true yes,$(FOREGROUND)),-foreground)

.PHONY: target-check pybot bench-targets
target-check: ## read the bot(s) through TARGET (scrape: SCRAPE_URL; prometheus: PROMETHEUS_URL, SELECTOR; fixtures/presoak.yaml) and print what each signal sees
	@$(GO) run ./cmd/presoak target-check

pybot: ## the minimal Python bot (standard library only) serving the same metrics on 127.0.0.1:$(or $(PORT),9200); FAULT=breaker|deadline_misses|... injects one
	python3 fixtures/pybot/pybot.py --port $(or $(PORT),9200) $(if $(FAULT),--fault $(FAULT))

.PHONY: profile-init profile-check
profile-init: ## a starter bot profile from a running bot: SCRAPE_URL=<its /metrics> BOT_CONFIG=<its config files, comma-separated> [OUT=profile.yaml]; guesses signals, TODO with candidates otherwise
	@$(GO) run ./cmd/presoak profile init -url "$(SCRAPE_URL)" -config "$(BOT_CONFIG)" $(if $(OUT),-o $(OUT))

profile-check: ## evaluate every signal of PROFILE once against the running bot (SCRAPE_URL overrides the profile's URL) and print what each sees, then its config items
	@$(GO) run ./cmd/presoak profile check -profile "$(PROFILE)" $(if $(SCRAPE_URL),-url $(SCRAPE_URL))

bench-targets: ## scrape/prometheus target speed: 10k-series page (parse alone vs parse+derive vs loopback scrape), 100-bot fleet; -benchmem -count 5
	$(GO) test -run '^$$' -bench 'Parse10k|Derive10k|Scrape10k|PrometheusFleet100' -benchmem -count 5 ./harness/target

FUZZTIME ?= 60s
.PHONY: fuzz-config
fuzz-config: ## fuzz the config loader (FuzzLoad) for FUZZTIME (default 60s); seed corpus in engine/config/testdata/fuzz
	$(GO) test -run '^$$' -fuzz '^FuzzLoad$$' -fuzztime $(FUZZTIME) ./engine/config

.PHONY: edge-report
edge-report: ## EDGE_REPORT.md from the calibration datasets (DATASETS, default artifacts/edge/datasets) into artifacts/edge/reports/
	@$(GO) run ./cmd/presoak edge-report -datasets '$(or $(DATASETS),artifacts/edge/datasets)'

.PHONY: fuzz-marketdata recording
fuzz-marketdata: ## fuzz the market-data CSV parser (FuzzParse) for FUZZTIME; seed corpus in engine/marketdata/testdata/fuzz
	$(GO) test -run '^$$' -fuzz '^FuzzParse$$' -fuzztime $(FUZZTIME) -fuzzminimizetime 5s ./engine/marketdata

recording: ## regenerate fixtures/marketdata/btcusdt-5m (seed 42; byte-identical unless the generator changed)
	$(GO) run ./cmd/presoak record -symbol BTCUSDT -seed 42 -span 5m -out fixtures/marketdata/btcusdt-5m
