#!/usr/bin/env python3
"""The calendars issue 10's worst cases are measured on (test_schedule_ics.sh, make bench).

    gen_worst_ics.py storm FILE   20 events repeating every second or minute from 1 March 2026,
                                  and one real talk on 5 March 14:00-15:00 UTC
    gen_worst_ics.py long FILE    one event whose DESCRIPTION is a 50 MB line without folding
"""
import sys


def storm(path):
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//probe//storm//EN"]
    for i in range(20):
        lines += ["BEGIN:VEVENT", f"UID:storm-{i}@probe.example", "DTSTART:20260301T000000Z",
                  "DURATION:PT1S", f"RRULE:FREQ={'MINUTELY' if i % 2 else 'SECONDLY'}",
                  "SUMMARY:junk", "END:VEVENT"]
    lines += ["BEGIN:VEVENT", "UID:real-talk@lectern.test", "DTSTART:20260305T140000Z",
              "DTEND:20260305T150000Z", "SUMMARY:The real talk", "END:VEVENT", "END:VCALENDAR"]
    with open(path, "w", newline="") as f:
        f.write("\r\n".join(lines) + "\r\n")


def long_line(path):
    with open(path, "w", newline="") as f:
        f.write("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//probe//long//EN\r\nBEGIN:VEVENT\r\n"
                "UID:long@lectern.test\r\nDTSTART:20260302T100000Z\r\nDTEND:20260302T110000Z\r\n"
                "SUMMARY:Real talk\r\nDESCRIPTION:")
        f.write("x" * (50 << 20))
        f.write("\r\n continued\r\nLOCATION:Room 1\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n")


if __name__ == "__main__":
    if len(sys.argv) != 3 or sys.argv[1] not in ("storm", "long"):
        sys.exit(__doc__)
    (storm if sys.argv[1] == "storm" else long_line)(sys.argv[2])
