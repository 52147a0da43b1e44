# otp-cgi: `make` builds the two CGI executables into cgi-bin/; `make test` installs what the tests need and
# runs them all; `make serve` runs the service with its test page on http://127.0.0.1:8080/ (`make stop` stops it).

SWIFT ?= swift
# A CGI request is a whole process, so the flags are about starting cold (see "Performance" in the README):
# static, so nothing is loaded at run time; concrete generic types resolved by accessor calls rather than by
# demangling their names at run time (a third of verify's instructions); and, with lld, the functions the
# requests run placed together in the order of Sources/symbol-order.txt (`make symbol-order` renews it), so
# that a process faults in fewer pages.
RELEASE_FLAGS := -c release -Xswiftc -static-executable -Xswiftc -use-ld=lld \
	-Xswiftc -Xfrontend -Xswiftc -disable-concrete-type-metadata-mangled-name-accessors \
	-Xswiftc -Xfrontend -Xswiftc -function-sections \
	-Xlinker --symbol-ordering-file=$(CURDIR)/Sources/symbol-order.txt -Xlinker --no-warn-symbol-ordering
BIN := $(shell $(SWIFT) build $(RELEASE_FLAGS) --show-bin-path 2>/dev/null)

.PHONY: all build test deps serve stop deb bench bench-fill symbol-order clean fuzz

all: build

# Static executables start as fast as a C program under Apache; strip drops the symbols a CGI never needs.
# (The linker's getgrnam_r/dlopen warnings about static glibc are expected.)
build:
	rm -f $(BIN)/generate $(BIN)/verify # SwiftPM does not relink when only the order file changed
	$(SWIFT) build $(RELEASE_FLAGS) --product generate
	$(SWIFT) build $(RELEASE_FLAGS) --product verify
	mkdir -p cgi-bin
	install -m 0755 -s $(BIN)/generate cgi-bin/generate
	install -m 0755 -s $(BIN)/verify cgi-bin/verify

# Every test; then the Apache suites and the contract rows again with the executables as FastCGI responders
# (mod_fcgid, and spawn-fcgi behind mod_proxy_fcgi); then the benchmark's smoke run, so that it cannot rot.
FASTCGI_SUITES := EndToEndTests\.(Apache|Htaccess|CGIContract|CGIConcurrency)
test: deps build
	$(SWIFT) test
	OTP_TEST_GATEWAY=fcgid $(SWIFT) test --skip-build --filter '$(FASTCGI_SUITES)'
	OTP_TEST_GATEWAY=proxy-fcgi $(SWIFT) test --skip-build --filter 'EndToEndTests\.(Apache|Htaccess)'
	QUICK=1 bench/run.py
	$(MAKE) fuzz FUZZ_SECONDS=10

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

# Stops `make serve` from another terminal (its Apache's pid file is run/apache2.pid).
stop:
	apache/stop

# What the tests need (Apache, Chromium, curl, an SMTP server, wrk), installed when missing.
deps:
	Tests/setup.sh

# Throughput and process cost against a C program on the same Apache; QUICK=1 for a smoke run.
bench:
	bench/run.py

# The benchmark's store filler, built with the same flags so that neither build undoes the other's.
bench-fill:
	$(SWIFT) build $(RELEASE_FLAGS) --product bench-fill

# Renews Sources/symbol-order.txt from callgrind runs of the built executables (needs valgrind).
symbol-order: build
	bench/symbol-order $(BIN)

clean:
	rm -rf .build cgi-bin/generate cgi-bin/verify
