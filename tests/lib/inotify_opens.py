#!/usr/bin/env python3
"""Count the opens of one file (inotify IN_OPEN, standard library only: ctypes on libc).

usage: inotify_opens.py FILE OUT SECONDS
Writes "LISTENING" to OUT once the watch is set, then one line "OPEN <monotonic seconds>" per
open of FILE by anyone, for at most SECONDS (or until SIGTERM). An open is what a probe of an
ALSA file-plugin device does to its infile, so a test can see whether a device was opened
behind a recording's back.
"""
import ctypes
import os
import select
import signal
import struct
import sys
import time

IN_OPEN = 0x20
IN_CLOEXEC = 0o2000000


def main():
    path, out, seconds = sys.argv[1], sys.argv[2], float(sys.argv[3])
    libc = ctypes.CDLL(None, use_errno=True)
    fd = libc.inotify_init1(IN_CLOEXEC)
    if fd < 0:
        sys.exit("inotify_init1: " + os.strerror(ctypes.get_errno()))
    if libc.inotify_add_watch(fd, os.fsencode(path), IN_OPEN) < 0:
        sys.exit("inotify_add_watch: " + os.strerror(ctypes.get_errno()))
    signal.signal(signal.SIGTERM, lambda *a: sys.exit(0))
    end = time.monotonic() + seconds
    with open(out, "a", buffering=1) as log:
        log.write("LISTENING\n")
        while time.monotonic() < end:
            ready, _, _ = select.select([fd], [], [], max(0.0, min(0.5, end - time.monotonic())))
            if not ready:
                continue
            data = os.read(fd, 4096)
            off = 0
            while off + 16 <= len(data):
                _wd, mask, _cookie, length = struct.unpack_from("iIII", data, off)
                off += 16 + length
                if mask & IN_OPEN:
                    log.write("OPEN %.3f\n" % time.monotonic())


if __name__ == "__main__":
    main()
