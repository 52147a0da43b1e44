#!/usr/bin/env bash
# Installs what the tests need when it is missing, and nothing else; safe to run again.
# Apache (the tests start their own instances from apache/local.conf.in), Chromium and its WebDriver (the browser
# test), curl and openssl (delivery, and the certificates of the SMTP/Twilio tests), wrk and gnuplot (the
# benchmark's smoke run), redis-server and redis-cli (the Redis store's tests start their own servers and
# cluster), and aiosmtpd from PyPI (the SMTP server the delivery tests talk to).
set -euo pipefail

missing=()
[ -x /usr/sbin/apache2 ] || missing+=(apache2)
command -v chromium >/dev/null || missing+=(chromium)
command -v chromedriver >/dev/null || missing+=(chromium-driver)
command -v curl >/dev/null || missing+=(curl)
command -v openssl >/dev/null || missing+=(openssl)
command -v wrk >/dev/null || missing+=(wrk)
command -v gnuplot >/dev/null || missing+=(gnuplot-nox)
command -v redis-server >/dev/null || missing+=(redis-server)
command -v redis-cli >/dev/null || missing+=(redis-tools)
if [ ${#missing[@]} -gt 0 ]; then
    if [ "$(id -u)" -ne 0 ]; then
        echo "setup.sh: missing ${missing[*]}: run  sudo apt-get install -y ${missing[*]}" >&2
        exit 1
    fi
    export DEBIAN_FRONTEND=noninteractive
    apt-get update
    apt-get install -y "${missing[@]}"
fi

python3 -c 'import aiosmtpd' 2>/dev/null || python3 -m pip install --quiet aiosmtpd
