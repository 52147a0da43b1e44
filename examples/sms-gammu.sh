#!/bin/sh
# SMS_COMMAND for a GSM modem run by gammu-smsd: otp-cgi gives the number as $1 and the message on stdin, and
# gammu-smsd-inject queues it for the daemon, which sends it. Exit status 0 means queued.
exec gammu-smsd-inject TEXT "$1"
