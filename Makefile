# Thin wrapper over CMake/ctest. The README's two commands:
#   make run   — install Debian packages, build, create a demo database, serve on 127.0.0.1:8080
#   make test  — install Debian packages, build, run every test (unit, integration, browser, fuzz replay)
# Knobs: SANITIZER=address,undefined  OPT=Debug|Release|RelWithDebInfo  PORT=8080  DB=var/renkei.db
BUILD     ?= build
OPT       ?= RelWithDebInfo
PORT      ?= 8080
DB        ?= var/renkei.db
JOBS      ?= $(shell nproc)
SANITIZER ?=
CMAKE_FLAGS = -DCMAKE_BUILD_TYPE=$(OPT) -DRK_WERROR=ON -DRK_SANITIZE=$(SANITIZER)

.PHONY: all deps ui-deps build run test unit test-asan fuzz fuzz-smoke e2e-deps checksrc bench-% clean

all: build

deps:
	@scripts/install-deps.sh

# Browser libraries the UI embeds (Cytoscape.js), from the npm registry; skipped when present.
ui-deps:
	@scripts/ui-deps.sh

build: deps ui-deps
	@cmake -S . -B $(BUILD) $(CMAKE_FLAGS) >/dev/null
	@cmake --build $(BUILD) -j$(JOBS)

# Creates the demo database on first run (delete $(DB) to start again), then serves it.
run: build
	@mkdir -p $(dir $(DB))
	@if [ ! -f $(DB) ]; then $(BUILD)/renkei init --db $(DB) && $(BUILD)/renkei demo --db $(DB); fi
	$(BUILD)/renkei serve --db $(DB) --listen 127.0.0.1:$(PORT)

e2e-deps:
	@scripts/e2e-deps.sh

test: build e2e-deps
	cd $(BUILD) && ctest --output-on-failure -j$(JOBS)

# Unit and integration tests only (no browser), e.g. for a sanitizer build.
unit: build
	cd $(BUILD) && ctest --output-on-failure -j$(JOBS) -LE e2e

# Every unit, integration and fuzz-replay test under ASan + UBSan.
test-asan:
	$(MAKE) unit BUILD=build-asan SANITIZER=address,undefined OPT=Debug

# libFuzzer builds of every parser; fuzz-smoke runs each one briefly from its corpus.
fuzz: deps ui-deps
	@CC=clang CXX=clang++ cmake -S . -B build-fuzz -DCMAKE_BUILD_TYPE=Debug -DRK_FUZZ=ON >/dev/null
	@cmake --build build-fuzz -j$(JOBS)

fuzz-smoke: fuzz
	scripts/fuzz-smoke.sh build-fuzz $(or $(FUZZ_SECONDS),20)

checksrc:
	scripts/checksrc

bench-%: build
	bench/$*/run

clean:
	rm -rf build build-asan build-fuzz
