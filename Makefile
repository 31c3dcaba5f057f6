# Front end to CMake. The two commands of the README:
#   make test   install dependencies, build, run every test (then again under
#               ASan+UBSan, built with clang, then the fuzzers briefly)
#   make run    install dependencies, build, run the main job: shroud serve on its
#               embedded defaults (make demo: a short tour of the command)
PREFIX ?= /usr/local
BUILD ?= build
ASAN_BUILD ?= build-asan
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
FUZZ_SECONDS ?= 15

.PHONY: all deps build test test-fast test-asan fuzz run demo install bench clean format

all: build

deps:
	@scripts/install-deps

# The web UI's npm packages (@noble/hashes is embedded in the binary; playwright-core
# drives the browser tests): installed when missing or older than the lock file.
web/node_modules: web/package-lock.json | deps
	npm ci --prefix web --no-audit --no-fund
	touch web/node_modules

build: deps web/node_modules
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_INSTALL_PREFIX=$(PREFIX) >/dev/null
	cmake --build $(BUILD) -j$(JOBS)

# Every test, the sanitizer pass, and a short fuzzing run.
test: test-fast test-asan fuzz

test-fast: build
	ctest --test-dir $(BUILD) -j$(JOBS) --output-on-failure

# The sanitizer pass is built with clang (the main build is GCC): two compilers'
# warnings, and clang's UBSan, which also flags arithmetic on null pointers.
test-asan: deps web/node_modules
	CC=clang-14 cmake -S . -B $(ASAN_BUILD) -DCMAKE_BUILD_TYPE=Debug -DSHROUD_SANITIZE=ON >/dev/null
	cmake --build $(ASAN_BUILD) -j$(JOBS)
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	  ctest --test-dir $(ASAN_BUILD) -j$(JOBS) --output-on-failure

fuzz: deps
	fuzz/run.sh $(FUZZ_SECONDS)

run: build
	$(BUILD)/shroud serve

demo: build
	scripts/demo $(BUILD)/shroud

install: build
	cmake --install $(BUILD)

bench: deps web/node_modules
	bench/envelope
	bench/redact/run.sh
	bench/stego/run.sh
	bench/detect/run.sh
	bench/server/run.sh

format:
	clang-format -i $$(git ls-files '*.c' '*.h')

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) build-fuzz build-bench
