# crmsync: the two set-up commands are `make demo` and `make check`.
# Each installs what is missing (scripts/setup.sh), builds, and runs.
BUILD      ?= build
ASAN_BUILD ?= build/asan
JOBS       ?= $(shell nproc 2>/dev/null || echo 2)
NODE_TESTS  = $(sort $(wildcard tests/peers/*.test.mjs))
SCENARIOS   = $(sort $(wildcard tests/scenarios/*.test.mjs))

.PHONY: all setup build unit integration peers scenarios asan check valgrind demo bench format clean

all: build

setup:
	@bash scripts/setup.sh

build: setup
	@cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
	@cmake --build $(BUILD) -j $(JOBS)

unit: build
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS) -L unit

# C tests that drive our code against the real emulator binaries over HTTP.
integration: build
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS) -L integration

peers: build
	@if [ -n "$(NODE_TESTS)" ]; then \
	  CRMSYNC_BIN_DIR=$(CURDIR)/$(BUILD)/bin node --test --test-concurrency=2 $(NODE_TESTS); \
	else echo "no peer tests"; fi

# End-to-end scenarios: both emulators and the real crmsync binary (tests/scenarios/).
scenarios: build
	@if [ -n "$(SCENARIOS)" ]; then \
	  CRMSYNC_BIN_DIR=$(CURDIR)/$(BUILD)/bin node --test --test-concurrency=2 $(SCENARIOS); \
	else echo "no scenarios"; fi

# The unit and integration tests, then the peer tests and scenarios, again with AddressSanitizer
# + UBSan. The capture-scale scenarios run at 5,000 records there: the full 25,000/20,000 run
# above proves the scale, this one the memory safety of the same paths.
asan: setup
	@cmake -S . -B $(ASAN_BUILD) -DCMAKE_BUILD_TYPE=Debug -DSYNC_SANITIZE=ON >/dev/null
	@cmake --build $(ASAN_BUILD) -j $(JOBS)
	cd $(ASAN_BUILD) && ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
	  ctest --output-on-failure -j $(JOBS) -L 'unit|integration'
	@if [ -n "$(NODE_TESTS)" ]; then \
	  ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
	  CRMSYNC_BIN_DIR=$(CURDIR)/$(ASAN_BUILD)/bin node --test --test-concurrency=2 $(NODE_TESTS); \
	fi
	@if [ -n "$(SCENARIOS)" ]; then \
	  ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
	  CRMSYNC_SCALE_HS=5000 CRMSYNC_SCALE_SF=5000 \
	  CRMSYNC_BIN_DIR=$(CURDIR)/$(ASAN_BUILD)/bin node --test --test-concurrency=2 $(SCENARIOS); \
	fi

check: unit integration peers scenarios asan

# The unit tests and a set of scenarios under valgrind's memcheck (scripts/valgrind.sh says which
# and how to choose others). Much slower than the sanitizer run, so not part of check.
valgrind: build
	@bash scripts/valgrind.sh $(BUILD)

demo: build
	@bash scripts/demo.sh $(BUILD)/bin

bench: build
	@bash bench/run.sh $(BUILD)/bin

format:
	clang-format -i $$(git ls-files '*.c' '*.h')

clean:
	rm -rf $(BUILD)
