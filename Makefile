# otp-cgi: `make` builds the two CGI executables into cgi-bin/; `make test` installs what the tests need and
# runs them all; `make serve` runs the service with its test page on http://127.0.0.1:8080/ (`make stop` stops it).

SWIFT ?= swift
SHELL := /bin/bash
.SHELLFLAGS := -o pipefail -c

# Package.swift's swift-tools-version. Every goal that builds stops here, before it runs or installs anything, when
# the toolchain is missing or older: one message, and nothing touched.
SWIFT_NEEDED := 6.2
SWIFT_FOUND := $(shell $(SWIFT) --version 2>/dev/null | sed -n 's/.*Swift version \([0-9][0-9.]*[0-9]\).*/\1/p' | head -n 1)
ifneq ($(filter-out clean stop deps,$(or $(MAKECMDGOALS),all)),)
ifneq ($(shell printf '%s\n' $(SWIFT_NEEDED) $(or $(SWIFT_FOUND),0) | sort -V | head -n 1),$(SWIFT_NEEDED))
$(error otp-cgi needs Swift $(SWIFT_NEEDED) or later, and $(SWIFT) $(if $(SWIFT_FOUND),is Swift $(SWIFT_FOUND),was not found). \
Debian and Ubuntu have no package of it: install swiftly as https://www.swift.org/install/linux/ shows (its `swiftly init` installs the latest Swift) \
or unpack swift.org's tarball for your release and put its usr/bin first in PATH (or make SWIFT=/path/to/usr/bin/swift))
endif
endif

# The release configuration carries every flag (Package.swift): `swift build -c release` alone builds what
# `make build` installs. Its directory is asked of SwiftPM once, and only when a target's recipe uses it; an empty
# answer stops make rather than turn `$(BIN)/generate` into `/generate`.
BIN = $(eval BIN := $(shell $(SWIFT) build -c release --show-bin-path 2>/dev/null))$(or $(BIN),$(error swift build \
	--show-bin-path printed nothing: is the Swift 6.2 toolchain on PATH? (README.md, "Two commands")))

.PHONY: all build test deps serve stop deb bench bench-fill symbol-order clean fuzz

all: build

# Static executables start as fast as a C program under Apache; strip drops the symbols a CGI never needs.
# Each is relinked (SwiftPM does not relink when only the order file changed); one line warns when
# bench/symbol-order.txt no longer names enough of the functions it orders (make bench refuses to measure then).
build:
	mkdir -p cgi-bin
	rm -f $(BIN)/generate $(BIN)/verify
	$(SWIFT) build -c release --product generate
	$(SWIFT) build -c release --product verify
	bench/check-symbol-order $(BIN)
	install -m 0755 -s $(BIN)/generate cgi-bin/generate
	install -m 0755 -s $(BIN)/verify cgi-bin/verify

# Every test; then the Apache suites and the contract rows again with the executables as FastCGI responders
# (mod_fcgid, and spawn-fcgi behind mod_proxy_fcgi); then the benchmark's smoke run, so that it cannot rot; then
# the fuzzer, whose thousands of progress lines go to a log unless it finds something.
FASTCGI_SUITES := EndToEndTests\.(Apache|Htaccess|CGIContract|CGIConcurrency)
# Every test is a Swift Testing one: --disable-xctest spares each run XCTest's "Executed 0 tests" lines.
test: deps build
	$(SWIFT) test --disable-xctest
	OTP_TEST_GATEWAY=fcgid $(SWIFT) test --disable-xctest --skip-build --filter '$(FASTCGI_SUITES)'
	OTP_TEST_GATEWAY=proxy-fcgi $(SWIFT) test --disable-xctest --skip-build --filter 'EndToEndTests\.(Apache|Htaccess)'
	QUICK=1 bench/run.py
	@mkdir -p .build/fuzz
	@$(MAKE) --no-print-directory fuzz FUZZ_SECONDS=10 >.build/fuzz/make-test.log 2>&1 \
		&& echo "fuzz: 10 s over every parser, no crash (its output: .build/fuzz/make-test.log)" \
		|| { tail -n 40 .build/fuzz/make-test.log; exit 1; }

# libFuzzer with ASan over every parser of untrusted input, for FUZZ_SECONDS (make fuzz FUZZ_SECONDS=3600).
# Starts from the seed corpus in Tests/Fuzz/corpus; what it finds goes to .build/fuzz/corpus, a crash to .build/fuzz/.
FUZZ_SECONDS ?= 60
fuzz:
	Tests/Fuzz/build.sh
	mkdir -p .build/fuzz/corpus
	.build/fuzz/otp-fuzz -max_total_time=$(FUZZ_SECONDS) -timeout=10 -rss_limit_mb=1024 -artifact_prefix=.build/fuzz/ \
		.build/fuzz/corpus Tests/Fuzz/corpus

# Local mode: Apache in the foreground with the test page on http://127.0.0.1:$(PORT)/ (make serve PORT=9090);
# FASTCGI=1 serves the same executables through mod_fcgid.
PORT ?= 8080
serve: build
	PORT=$(PORT) FASTCGI=$(FASTCGI) apache/serve

# dist/otp-cgi_VERSION_ARCH.deb: the executables, an Apache configuration and the settings, for apt install.
deb: build
	packaging/deb/build

# Stops `make serve` from another terminal (its Apache's pid file is run/apache2.pid).
stop:
	apache/stop

# What the tests need (Apache, Chromium, curl, an SMTP server, wrk), installed when missing.
deps:
	Tests/setup.sh

# Throughput and process cost against a C program on the same Apache; QUICK=1 for a smoke run. A full run stops
# first when bench/symbol-order.txt has gone stale (make symbol-order renews it), as its figures would mislead.
bench:
	bench/run.py

# The benchmark's store filler.
bench-fill:
	$(SWIFT) build -c release --product bench-fill

# Renews bench/symbol-order.txt from callgrind runs of the built executables (needs valgrind); bench/instructions
# prints what each common request costs in instructions.
symbol-order: build
	bench/symbol-order '$(BIN)'

clean:
	rm -rf .build cgi-bin/generate cgi-bin/verify
