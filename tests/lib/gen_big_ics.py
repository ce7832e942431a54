#!/usr/bin/env python3
"""Write a large, valid iCalendar file (about 10 MB) for the calendar load test.

    gen_big_ics.py PATH [EVENTS]     (EVENTS defaults to 20000)

Event i (i = 0 .. EVENTS-1) is "big-NNNNN@lectern.test": day i // 8 after Monday
2026-01-05, at 09:00 + (i % 8) hours Europe/Berlin (TZID with a VTIMEZONE), 45 minutes long,
with a long DESCRIPTION folded at 75 octets (CRLF + space). Eight events on every day, all of
them between 09:00 and 16:45 local time, so a window of N whole days in Europe/Berlin that lies
inside the calendar holds exactly 8 * N occurrences; e.g. --from 2026-03-02 --days 7 gives 56,
event 448 (big-00448) first and event 503 last. Deterministic: the same bytes every time.
Standard library only.
"""
import sys
from datetime import date, timedelta

FIRST_DAY = date(2026, 1, 5)
PER_DAY = 8

VTIMEZONE = [
    "BEGIN:VTIMEZONE", "TZID:Europe/Berlin", "X-LIC-LOCATION:Europe/Berlin",
    "BEGIN:DAYLIGHT", "TZOFFSETFROM:+0100", "TZOFFSETTO:+0200", "TZNAME:CEST",
    "DTSTART:19700329T020000", "RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU", "END:DAYLIGHT",
    "BEGIN:STANDARD", "TZOFFSETFROM:+0200", "TZOFFSETTO:+0100", "TZNAME:CET",
    "DTSTART:19701025T030000", "RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU", "END:STANDARD",
    "END:VTIMEZONE",
]

TOPICS = ["SQLite internals", "Opus at low bitrates", "Kubernetes for firmware people",
          "accessible slides", "reproducible builds", "property-based testing",
          "ALSA without tears", "writing good commit messages", "timezones are hard",
          "the RRULE zoo"]


def fold(line):
    b = line.encode("utf-8")
    out = [b[:75]]
    b = b[75:]
    while b:
        out.append(b" " + b[:74])
        b = b[74:]
    return out


def event(i):
    day = FIRST_DAY + timedelta(days=i // PER_DAY)
    hour = 9 + i % PER_DAY
    d = day.strftime("%Y%m%d")
    topic = TOPICS[i % len(TOPICS)]
    desc = (f"Session {i} of the peer-learning programme: {topic}. Bring your lunch\\, "
            "your questions and a colleague.\\nRecorded\\; published on the portal within a day.")
    lines = [
        "BEGIN:VEVENT",
        f"UID:big-{i:05d}@lectern.test",
        "DTSTAMP:20260101T000000Z",
        f"DTSTART;TZID=Europe/Berlin:{d}T{hour:02d}0000",
        f"DTEND;TZID=Europe/Berlin:{d}T{hour:02d}4500",
        f"SUMMARY:Session {i}: {topic}",
        f"ORGANIZER;CN=Speaker {i % 97}:mailto:speaker{i % 97}@example.org",
        "ATTENDEE;CN=Ada Lovelace;PARTSTAT=ACCEPTED:mailto:ada.lovelace@example.org",
        "LOCATION:Room 4.12 (big meeting room)",
        f"DESCRIPTION:{desc}",
        "END:VEVENT",
    ]
    return lines


def main(argv):
    if len(argv) not in (2, 3):
        print(__doc__.strip(), file=sys.stderr)
        return 2
    n = int(argv[2]) if len(argv) == 3 else 20000
    with open(argv[1], "wb") as f:
        head = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//lectern tests//gen_big_ics//EN",
                "CALSCALE:GREGORIAN", "X-WR-CALNAME:Load test"] + VTIMEZONE
        for line in head:
            f.write(line.encode() + b"\r\n")
        for i in range(n):
            for line in event(i):
                f.write(b"\r\n".join(fold(line)) + b"\r\n")
        f.write(b"END:VCALENDAR\r\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
