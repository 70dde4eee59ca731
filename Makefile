# Thin wrapper around CMake. `make run` and `make test` install what is
# missing first (scripts/setup).
BUILD      ?= build
BUILD_SAN  ?= build-asan
JOBS       ?= $(shell nproc 2>/dev/null || echo 2)
CMAKE_OPTS ?=

.PHONY: all build run test test-normal test-asan bench fuzz soak setup clean screenshots

all: build

setup:
	@scripts/setup

$(BUILD)/Makefile:
	cmake -S . -B $(BUILD) $(CMAKE_OPTS) >/dev/null

build: $(BUILD)/Makefile
	@cmake --build $(BUILD) -j$(JOBS)

# Only the otplab binary, quietly (its output only if the build fails); the
# console with the dashboard beside it (its URL first; port 4000, or another
# if that one is taken). On a terminal the console stays, otherwise it
# prints the welcome and the tree.
run: setup $(BUILD)/Makefile
	@out=$$(cmake --build $(BUILD) --target otplab -j$(JOBS) 2>&1) || { echo "$$out"; exit 1; }
	@if [ -t 0 ] && [ -t 1 ]; then $(BUILD)/otplab console --web lua/otp/console/welcome.lua; \
	else $(BUILD)/otplab console --web lua/otp/console/welcome.lua </dev/null; fi

# The normal build, then the AddressSanitizer + UBSan build; one summary line.
test: setup
	@scripts/test

# The API fuzzer, the HTTP request fuzzer (otplab serve), then the libFuzzer
# targets (clang), FUZZ_S seconds in all.
fuzz: setup build
	@FUZZ_S=$(or $(FUZZ_S),180) scripts/fuzz

# The chaos soak: SOAK_S seconds (default 600) of kills, sandboxes, traces
# and floods against a large supervision tree; then the tree must be whole
# and the memory back near its baseline.
soak: setup build
	@$(BUILD)/otplab run tests/soak/chaos.lua --seconds $(or $(SOAK_S),600)

bench: build
	@OTP_SETUP_BENCH=1 scripts/setup
	@scripts/bench

# The dashboard's pages as PNGs in docs/screenshots/ (headless Chromium).
screenshots: setup build
	@scripts/screenshots

clean:
	rm -rf $(BUILD) $(BUILD_SAN) build-fuzz
