#!/usr/bin/env bash
# Builds the libFuzzer target (Tests/Fuzz/FuzzTarget.swift with OTPCore's sources, one module) with ASan, into
# .build/fuzz/otp-fuzz. Separate from `swift build`, which never sees it; `make fuzz` runs it.
set -euo pipefail
cd "$(dirname "$0")/../.."
mkdir -p .build/fuzz
mapfile -t sources < <(find Sources/OTPCore -name '*.swift' | sort)
swiftc -swift-version 6 -O -parse-as-library -sanitize=fuzzer,address -use-ld=lld -module-name OTPCore \
    "${sources[@]}" Tests/Fuzz/FuzzTarget.swift -o .build/fuzz/otp-fuzz
