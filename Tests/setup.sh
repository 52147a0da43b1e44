#!/usr/bin/env bash
# Installs what the tests need when it is missing, and nothing else; safe to run again.
# Apache (the tests start their own instances from apache/local.conf.in), Chromium and its WebDriver (the browser
# test), curl and openssl (delivery, and the certificates of the SMTP/Twilio tests), wrk and gnuplot (the
# benchmark's smoke run), redis-server and redis-cli (the Redis store's tests start their own servers and
# cluster), and aiosmtpd from PyPI (the SMTP server the delivery tests talk to). php-cli, nodejs
# and PyJWT (PyPI) run docs/token.md's token-checking snippets; php-cgi serves make serve's example site.
# mod_fcgid, spawn-fcgi and libfcgi (its cgi-fcgi client, and the benchmark's C FastCGI responder) run the
# executables as FastCGI responders. nginx, fcgiwrap and lighttpd serve them too; the tests start their own
# instances from nginx/ and lighttpd/, and the packages' own services are stopped and disabled at once (policy-rc.d
# keeps them from starting during the install), so that nothing of ours listens on port 80. strace records the
# store's system calls (the same calls for an unknown identifier as for a wrong code; which writes are synced).
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
command -v php >/dev/null || missing+=(php-cli)
[ -e /usr/lib/cgi-bin/php ] || missing+=(php-cgi)
command -v node >/dev/null || missing+=(nodejs)
[ -e /usr/lib/apache2/modules/mod_fcgid.so ] || missing+=(libapache2-mod-fcgid)
command -v spawn-fcgi >/dev/null || missing+=(spawn-fcgi)
command -v cgi-fcgi >/dev/null || missing+=(libfcgi-bin)
[ -e /usr/include/fcgiapp.h ] || missing+=(libfcgi-dev)
[ -x /usr/sbin/nginx ] || missing+=(nginx)
[ -x /usr/sbin/fcgiwrap ] || missing+=(fcgiwrap)
[ -x /usr/sbin/lighttpd ] || missing+=(lighttpd)
command -v systemd-socket-activate >/dev/null || missing+=(systemd)
command -v strace >/dev/null || missing+=(strace)
if [ ${#missing[@]} -gt 0 ]; then
    if [ "$(id -u)" -ne 0 ]; then
        echo "setup.sh: missing ${missing[*]}: run  sudo apt-get install -y ${missing[*]}" >&2
        exit 1
    fi
    export DEBIAN_FRONTEND=noninteractive
    # Packages start their services when installed unless policy-rc.d says no (Debian's policy, section 9.3.3).
    if [ ! -e /usr/sbin/policy-rc.d ]; then
        printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
        chmod 0755 /usr/sbin/policy-rc.d
        trap 'rm -f /usr/sbin/policy-rc.d' EXIT
    fi
    apt-get update
    apt-get install -y "${missing[@]}"
    # Nor at the next boot: the tests run private instances only.
    if [ -d /run/systemd/system ]; then
        systemctl disable --now nginx.service lighttpd.service fcgiwrap.socket fcgiwrap.service 2>/dev/null || true
    fi
fi

python3 -c 'import aiosmtpd' 2>/dev/null || python3 -m pip install --quiet aiosmtpd
python3 -c 'import jwt' 2>/dev/null || python3 -m pip install --quiet PyJWT

# Started as root, the tests' Apaches run the CGIs as www-data straight from this tree: stop here, once, if it
# cannot get in (a clone inside a mode-0700 directory such as mktemp -d makes), rather than fail every suite.
if [ "$(id -u)" -eq 0 ]; then
    tree=$(cd "$(dirname "$0")/.." && pwd)
    runuser -u www-data -- test -x "$tree" -a -r "$tree/apache/www/index.html" || {
        echo "setup.sh: www-data cannot reach $tree, and the tests' Apache runs the CGIs as www-data from it;" \
             "give its parent directories o+x (chmod o+x DIR) or clone it elsewhere" >&2
        exit 1
    }
fi
