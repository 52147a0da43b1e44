#!/usr/bin/env bash
# Builds the libFuzzer target (Tests/Fuzz/FuzzTarget.swift with the sources of the modules that parse untrusted
# input, compiled as one module) with ASan, into .build/fuzz/otp-fuzz. Separate from `swift build`, which never
# sees it; `make fuzz` runs it. One module, so the parsers' internal entry points are reachable: the copies lose
# their imports of each other.
set -euo pipefail
cd "$(dirname "$0")/../.."
modules=(Platform Digests OTP Stores Gateway Web)
work=.build/fuzz/sources
rm -rf "$work" && mkdir -p "$work"
pattern="^(@testable )?import ($(IFS='|'; echo "${modules[*]}"))\$"
for module in "${modules[@]}"; do
    find "Sources/$module" -name '*.swift' | while read -r file; do
        grep -Ev "$pattern" "$file" >"$work/${module}_$(basename "$file")"
    done
done
mapfile -t sources < <(find "$work" -name '*.swift' | sort)
swiftc -swift-version 6 -O -parse-as-library -sanitize=fuzzer,address -use-ld=lld -module-name OTPFuzz \
    "${sources[@]}" Tests/Fuzz/FuzzTarget.swift -o .build/fuzz/otp-fuzz
