#!/usr/bin/env python3
"""systemd's side of sd_notify, for tests: binds an AF_UNIX datagram socket (NOTIFY_SOCKET),
logs every message with the monotonic time it came at, and plays the watchdog: once READY=1
came, a gap longer than WATCHDOG_USEC without WATCHDOG=1 is reported as an EXPIRED line (as
systemd would then kill and restart the service). Ends after MAX_SECONDS, or at STOPPING=1
plus a second.

    notify_observer.py SOCKET LOG WATCHDOG_USEC MAX_SECONDS
Log lines: "<seconds since start> <message with newlines as |>" and "<t> EXPIRED <gap s>".
"""
import os
import socket
import sys
import time

path, log_path, usec, max_s = sys.argv[1], sys.argv[2], int(sys.argv[3]), float(sys.argv[4])
interval = usec / 1e6
if os.path.exists(path):
    os.unlink(path)
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(path)
s.settimeout(0.05)
t0 = time.monotonic()
ready = False
last_pet = None
expired = False
stopping_at = None
with open(log_path, "a", buffering=1) as log:
    log.write("%.3f LISTENING\n" % 0.0)
    while True:
        now = time.monotonic()
        if now - t0 > max_s or (stopping_at is not None and now - stopping_at > 1.0):
            break
        try:
            data = s.recv(4096).decode("utf-8", "replace")
        except socket.timeout:
            data = None
        now = time.monotonic()
        if data is not None:
            log.write("%.3f %s\n" % (now - t0, data.strip().replace("\n", "|")))
            fields = data.split("\n")
            if "READY=1" in fields:
                ready = True
                last_pet = now
            if "WATCHDOG=1" in fields:
                last_pet = now
                expired = False
            if "STOPPING=1" in fields:
                stopping_at = now
                ready = False
        if ready and not expired and last_pet is not None and now - last_pet > interval:
            log.write("%.3f EXPIRED %.3f\n" % (now - t0, now - last_pet))
            expired = True
    log.write("%.3f END\n" % (time.monotonic() - t0))
os.unlink(path)
