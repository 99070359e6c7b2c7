# Makefile - the two commands a new user needs, plus the usual shortcuts.
#   make        build build/chaff
#   make run    install what is missing, build, deduplicate the bundled sample
#   make test   install what is missing, build, run every test, then again under
#               AddressSanitizer + UndefinedBehaviorSanitizer
#   make bench  the benchmark, chaff beside its baselines
BUILD      ?= build
BUILD_SAN  ?= build-sanitize
JOBS       ?= $(shell nproc 2>/dev/null || echo 2)
CMAKE_ARGS ?=

.PHONY: all deps run test test-fast bench clean

all: $(BUILD)/Makefile
	@cmake --build $(BUILD) -j $(JOBS)

$(BUILD)/Makefile:
	@cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=Release $(CMAKE_ARGS) >/dev/null

deps:
	@sh scripts/install-deps.sh

run: deps all
	@mkdir -p $(BUILD)/run
	$(BUILD)/chaff dedup samples/sample.jsonl.zst --filter synthetic,degenerate \
	    --kept $(BUILD)/run/kept.txt --dropped $(BUILD)/run/dropped.jsonl \
	    -o $(BUILD)/run/deduped.jsonl.zst --stats $(BUILD)/run/stats.json
	@echo "outputs in $(BUILD)/run/: kept.txt dropped.jsonl deduped.jsonl.zst stats.json"

test: deps all
	@cd $(BUILD) && ctest --output-on-failure -j $(JOBS)
	@cmake -S . -B $(BUILD_SAN) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCHAFF_SANITIZE=ON >/dev/null
	@cmake --build $(BUILD_SAN) -j $(JOBS)
	@cd $(BUILD_SAN) && ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
	    ctest --output-on-failure -j $(JOBS)

test-fast: all
	@cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

bench: deps all
	@sh bench/run.sh

clean:
	rm -rf $(BUILD) $(BUILD_SAN)
