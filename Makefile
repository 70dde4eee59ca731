# Thin wrapper around CMake. `make run` and `make test` install what is
# missing first (scripts/setup).
BUILD      ?= build
BUILD_SAN  ?= build-asan
JOBS       ?= $(shell nproc 2>/dev/null || echo 2)
CMAKE_OPTS ?=

.PHONY: all build run test test-normal test-asan bench setup clean

all: build

setup:
	@scripts/setup

$(BUILD)/Makefile:
	cmake -S . -B $(BUILD) $(CMAKE_OPTS) >/dev/null

build: $(BUILD)/Makefile
	@cmake --build $(BUILD) -j$(JOBS)

run: setup build
	@$(BUILD)/otplab lesson 1

# The normal build, then the AddressSanitizer + UBSan build; one summary line.
test: setup
	@scripts/test

bench: build
	@OTP_SETUP_BENCH=1 scripts/setup
	@scripts/bench

clean:
	rm -rf $(BUILD) $(BUILD_SAN)
