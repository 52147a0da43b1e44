# otp-cgi: `make` builds the two CGI executables into cgi-bin/; `make test` installs what the tests need and
# runs them all; `make serve` runs the service with its test page on http://127.0.0.1:8080/.

SWIFT ?= swift
RELEASE_FLAGS := -c release -Xswiftc -static-executable
BIN := $(shell $(SWIFT) build $(RELEASE_FLAGS) --show-bin-path 2>/dev/null)

.PHONY: all build test deps serve bench clean fuzz

all: build

# Static executables start as fast as a C program under Apache; strip drops the symbols a CGI never needs.
# (The linker's getgrnam_r/dlopen warnings about static glibc are expected.)
build:
	$(SWIFT) build $(RELEASE_FLAGS) --product generate
	$(SWIFT) build $(RELEASE_FLAGS) --product verify
	mkdir -p cgi-bin
	install -m 0755 -s $(BIN)/generate cgi-bin/generate
	install -m 0755 -s $(BIN)/verify cgi-bin/verify

# Every test, then the benchmark's smoke run so that the benchmark itself cannot rot.
test: deps build
	$(SWIFT) test
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

# Local mode: Apache in the foreground with the test page on http://127.0.0.1:$(PORT)/ (make serve PORT=9090).
PORT ?= 8080
serve: build
	PORT=$(PORT) apache/serve

# What the tests need (Apache, Chromium, curl, an SMTP server, wrk), installed when missing.
deps:
	Tests/setup.sh

# Throughput and process cost against a C program on the same Apache; QUICK=1 for a smoke run.
bench:
	bench/run.py

clean:
	rm -rf .build cgi-bin/generate cgi-bin/verify
