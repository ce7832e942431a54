#!/usr/bin/env python3
"""Deterministic generator of room calendars for the differential test (calendar_diff.py).

    gen_calendars.py SEED COUNT DIR     writes DIR/cal-N.ics and DIR/cal-N.args (TZ FROM DAYS)

generate(rng) returns (text, tz, from_date, days): one calendar, the process time zone and the
window `lectern schedule` is asked about. What it covers (issue 10): FREQ DAILY, WEEKLY,
MONTHLY, YEARLY with INTERVAL; BYDAY (with ordinals), BYMONTHDAY, BYMONTH, BYSETPOS; COUNT,
UNTIL as UTC (often the exact start of an instance, across a DST change), as DATE; EXDATE
(lists, TZID or UTC form), RDATE (incl. PERIOD); RECURRENCE-ID overrides moved into, out of
and within the window, cancelled instances and events; VTIMEZONE blocks (IANA, Windows names,
"Customized Time Zone"), IANA TZID without VTIMEZONE, floating times with and without
X-WR-TIMEZONE, UTC; all-day events with and without DTEND, DURATION; windows around the DST
changes of Europe and North America and in a zone without DST; folded lines, CRLF and LF.

Every rule's DTSTART is an instance of the rule (RFC 5545 leaves the other case to each
implementation), and wall-clock times avoid 01:00-02:59, which do not exist or exist twice on
DST days (RFC 5545 3.3.10 fixes those too, but they would hide the rest). Standard library only.
"""
import random
import sys
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

VTIMEZONES = {
    "Europe/Berlin": """BEGIN:VTIMEZONE
TZID:Europe/Berlin
BEGIN:DAYLIGHT
TZOFFSETFROM:+0100
TZOFFSETTO:+0200
TZNAME:CEST
DTSTART:19700329T020000
RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU
END:DAYLIGHT
BEGIN:STANDARD
TZOFFSETFROM:+0200
TZOFFSETTO:+0100
TZNAME:CET
DTSTART:19701025T030000
RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU
END:STANDARD
END:VTIMEZONE""",
    "America/New_York": """BEGIN:VTIMEZONE
TZID:America/New_York
BEGIN:DAYLIGHT
TZOFFSETFROM:-0500
TZOFFSETTO:-0400
TZNAME:EDT
DTSTART:20070311T020000
RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=2SU
END:DAYLIGHT
BEGIN:STANDARD
TZOFFSETFROM:-0400
TZOFFSETTO:-0500
TZNAME:EST
DTSTART:20071104T020000
RRULE:FREQ=YEARLY;BYMONTH=11;BYDAY=1SU
END:STANDARD
END:VTIMEZONE""",
    "Asia/Kolkata": """BEGIN:VTIMEZONE
TZID:Asia/Kolkata
BEGIN:STANDARD
TZOFFSETFROM:+0530
TZOFFSETTO:+0530
TZNAME:IST
DTSTART:19700101T000000
END:STANDARD
END:VTIMEZONE""",
    # Outlook's own blocks: Windows names, rules from 1601
    "W. Europe Standard Time": """BEGIN:VTIMEZONE
TZID:W. Europe Standard Time
BEGIN:STANDARD
DTSTART:16011028T030000
RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10
TZOFFSETFROM:+0200
TZOFFSETTO:+0100
END:STANDARD
BEGIN:DAYLIGHT
DTSTART:16010325T020000
RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=3
TZOFFSETFROM:+0100
TZOFFSETTO:+0200
END:DAYLIGHT
END:VTIMEZONE""",
    "Eastern Standard Time": """BEGIN:VTIMEZONE
TZID:Eastern Standard Time
BEGIN:STANDARD
DTSTART:16011104T020000
RRULE:FREQ=YEARLY;BYDAY=1SU;BYMONTH=11
TZOFFSETFROM:-0400
TZOFFSETTO:-0500
END:STANDARD
BEGIN:DAYLIGHT
DTSTART:16010311T020000
RRULE:FREQ=YEARLY;BYDAY=2SU;BYMONTH=3
TZOFFSETFROM:-0500
TZOFFSETTO:-0400
END:DAYLIGHT
END:VTIMEZONE""",
    "Customized Time Zone": """BEGIN:VTIMEZONE
TZID:Customized Time Zone
BEGIN:STANDARD
DTSTART:16010101T000000
TZOFFSETFROM:+0530
TZOFFSETTO:+0530
END:STANDARD
END:VTIMEZONE""",
}
# what each zone is, for the generator's own arithmetic (never given to lectern)
ZONE = {"Europe/Berlin": "Europe/Berlin", "America/New_York": "America/New_York",
        "Asia/Kolkata": "Asia/Kolkata", "Asia/Tokyo": "Asia/Tokyo",
        "W. Europe Standard Time": "Europe/Berlin", "Eastern Standard Time": "America/New_York",
        "Customized Time Zone": "Asia/Kolkata"}
PROCESS_ZONES = ["Europe/Berlin", "America/New_York", "Asia/Kolkata", "UTC"]
# the DST changes of 2026 (Europe, North America) and two ordinary days
EDGES = [date(2026, 3, 29), date(2026, 10, 25), date(2026, 3, 8), date(2026, 11, 1),
         date(2026, 6, 15), date(2027, 1, 20)]
HOURS = [0, 7, 8, 9, 10, 12, 14, 16, 17, 19, 21, 22, 23]
DAYS = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]
TITLES = ["Lecture", "Seminar", "Kolloquium über Zeitzonen", "Брифинг", "研究会", "Brown bag ☕",
          "Thesis defence", "Reading group"]


def fmt(dt):
    return dt.strftime("%Y%m%dT%H%M%S")


def utc(dt):
    return dt.astimezone(timezone.utc).strftime("%Y%m%dT%H%M%SZ")


class Event:
    """One VEVENT being written: its start's form and what the generator knows about it."""

    def __init__(self, rng, cal, n):
        self.rng, self.cal, self.n = rng, cal, n
        self.uid = f"gen-{cal.seed}-{n}@lectern.test"
        self.lines = []

    # a value of the event's kind: (params, text) for a wall-clock time `wall` (naive)
    def value(self, wall, kind=None):
        kind = kind or self.kind
        if kind == "date":
            return ";VALUE=DATE", wall.strftime("%Y%m%d")
        if kind == "utc":
            return "", utc(wall.replace(tzinfo=self.zone))
        if kind == "floating":
            return "", fmt(wall)
        return f";TZID={self.tzid}", fmt(wall)

    def prop(self, name, wall, kind=None):
        params, text = self.value(wall, kind)
        self.lines.append(f"{name}{params}:{text}")


class Calendar:
    def __init__(self, rng, seed):
        self.rng, self.seed = rng, seed
        self.tz = rng.choice(PROCESS_ZONES)
        self.x_wr = rng.choice([None, None, "Asia/Tokyo", "America/New_York", "Europe/Berlin"])
        edge = rng.choice(EDGES)
        self.from_date = edge - timedelta(days=rng.randint(0, 10))
        self.days = rng.choice([1, 2, 7, 14, 30, 60])
        self.zones_used = set()
        self.no_vtimezone = set(rng.sample(["Europe/Berlin", "America/New_York", "Asia/Tokyo"],
                                           rng.randint(0, 2)))

    def event(self, n):
        rng = self.rng
        e = Event(rng, self, n)
        e.kind = rng.choice(["tzid", "tzid", "tzid", "utc", "floating", "date"])
        if e.kind == "tzid":
            e.tzid = rng.choice(list(VTIMEZONES) + sorted(self.no_vtimezone) + ["Asia/Tokyo"])
            if e.tzid == "Asia/Tokyo":
                self.no_vtimezone.add("Asia/Tokyo")
            if e.tzid not in self.no_vtimezone:
                self.zones_used.add(e.tzid)
            e.zone = ZoneInfo(ZONE[e.tzid])
        elif e.kind == "utc":
            e.zone = timezone.utc
        else:  # floating and DATE: the process's zone (DATE), X-WR-TIMEZONE (floating)
            e.zone = ZoneInfo(self.x_wr if e.kind == "floating" and self.x_wr else self.tz)
        day = self.from_date + timedelta(days=rng.randint(-45, self.days + 5))
        start = datetime(day.year, day.month, day.day, rng.choice(HOURS), rng.choice([0, 0, 15, 30]))
        e.lines += ["BEGIN:VEVENT", f"UID:{e.uid}", "DTSTAMP:20260101T000000Z"]
        rule, start, step = self.rule(e, start)
        e.start = start
        e.prop("DTSTART", start)
        # how long: DTEND, DURATION or neither
        how = rng.choice(["dtend", "dtend", "duration", "none"])
        if e.kind == "date":
            if how == "dtend":
                e.prop("DTEND", start + timedelta(days=rng.randint(1, 3)))
            elif how == "duration":
                e.lines.append(f"DURATION:P{rng.randint(1, 2)}D")
        elif how == "dtend":
            e.prop("DTEND", start + timedelta(minutes=rng.choice([30, 45, 60, 90, 120])))
        elif how == "duration":
            e.lines.append(rng.choice(["DURATION:PT1H30M", "DURATION:PT45M", "DURATION:P1D",
                                       "DURATION:PT2H"]))
        if rule:
            e.lines.append("RRULE:" + rule)
        title = f"{rng.choice(TITLES)} {n}"
        e.lines.append(f"SUMMARY:{title}")
        if rng.random() < 0.08:
            e.lines.append("STATUS:CANCELLED")
        overrides = []
        if step:  # instance k starts at start + k * step (wall clock): EXDATE, RDATE, overrides
            ks = rng.sample(range(1, 12), 4)
            if rng.random() < 0.4:
                self.exdate(e, [start + ks[0] * step] + ([start + ks[1] * step] if rng.random() < 0.5 else []))
            if rng.random() < 0.5:
                overrides.append(self.override(e, start + ks[2] * step, title))
            if rng.random() < 0.3:
                overrides.append(self.override(e, start + ks[3] * step, title))
        if rng.random() < 0.2 and e.kind != "date":
            extra = start + timedelta(days=rng.randint(1, 20), hours=rng.choice([0, 3]))
            if rng.random() < 0.5 or e.kind == "floating":
                e.prop("RDATE", extra)
            else:
                end = extra + timedelta(minutes=rng.choice([20, 50]))
                e.lines.append(f"RDATE;VALUE=PERIOD:{utc(extra.replace(tzinfo=e.zone))}/"
                               f"{utc(end.replace(tzinfo=e.zone))}")
        e.lines.append("END:VEVENT")
        out = e.lines
        for o in overrides:  # an override before its series, now and then
            out = o + out if rng.random() < 0.3 else out + o
        return out

    def rule(self, e, start):
        """An RRULE that has `start` as an instance (moving it if needed), and the wall-clock
        step between instances when that is constant (None otherwise)."""
        rng = self.rng
        if rng.random() < 0.3:
            return None, start, None
        freq = rng.choice(["DAILY", "WEEKLY", "WEEKLY", "MONTHLY", "YEARLY"])
        interval = rng.choice([1, 1, 1, 2, 3])
        parts = [f"FREQ={freq}"] + ([f"INTERVAL={interval}"] if interval > 1 else [])
        step = None
        wd = DAYS[start.weekday()]
        if freq == "DAILY":
            step = timedelta(days=interval)
        elif freq == "WEEKLY":
            if rng.random() < 0.5:
                others = rng.sample(DAYS, rng.randint(1, 3))
                parts.append("BYDAY=" + ",".join(sorted(set(others + [wd]), key=DAYS.index)))
            else:
                step = timedelta(weeks=interval)
        elif freq == "MONTHLY":
            how = rng.choice(["plain", "monthday", "ordinal", "setpos"])
            if how == "monthday":
                parts.append(f"BYMONTHDAY={start.day}" + (",-1" if rng.random() < 0.3 else ""))
            elif how == "ordinal":
                nth = (start.day - 1) // 7 + 1
                last = (start + timedelta(days=7)).month != start.month
                parts.append(f"BYDAY={-1 if last and rng.random() < 0.5 else nth}{wd}")
            elif how == "setpos":  # the last working day of the month
                nxt = date(start.year + start.month // 12, start.month % 12 + 1, 1)
                d = nxt - timedelta(days=1)
                while d.weekday() > 4:
                    d -= timedelta(days=1)
                start = start.replace(day=d.day)
                parts.append("BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1")
        elif freq == "YEARLY":
            if rng.random() < 0.5:
                parts.append(f"BYMONTH={start.month}" + (f",{start.month % 12 + 1}" if rng.random() < 0.3 else "")
                             + f";BYMONTHDAY={start.day}")
        end = rng.choice(["count", "until", "until", "none"])
        if end == "count":
            parts.append(f"COUNT={rng.randint(2, 30)}")
        elif end == "until":
            # an UNTIL some steps ahead: on an instance's exact start, or just before it
            ahead = start + timedelta(days=rng.choice([7, 14, 21, 35, 60, 90, 200]))
            if step:
                k = max(1, (ahead - start) // step)
                ahead = start + k * step
            if e.kind == "date":
                parts.append("UNTIL=" + ahead.strftime("%Y%m%d"))
            elif e.kind == "floating":  # RFC 5545 3.3.10: floating with floating
                parts.append("UNTIL=" + fmt(ahead))
            else:
                instant = ahead.replace(tzinfo=e.zone)
                if rng.random() < 0.3:
                    instant -= timedelta(seconds=1)
                parts.append("UNTIL=" + utc(instant))
        return ";".join(parts), start, step

    def exdate(self, e, walls):
        rng = self.rng
        form = rng.choice(["same", "utc", "list"])
        if e.kind in ("date", "floating", "utc") or form == "same":
            for w in walls:
                e.prop("EXDATE", w)
        elif form == "utc":
            for w in walls:
                e.prop("EXDATE", w, "utc")
        else:
            e.lines.append(f"EXDATE;TZID={e.tzid}:" + ",".join(fmt(w) for w in walls))

    def override(self, e, wall, title):
        rng = self.rng
        o = Event(rng, self, e.n)
        o.kind, o.zone, o.uid = e.kind, e.zone, e.uid
        o.tzid = getattr(e, "tzid", None)
        o.lines += ["BEGIN:VEVENT", f"UID:{e.uid}", "DTSTAMP:20260101T000000Z"]
        o.prop("RECURRENCE-ID", wall)
        moved = wall + rng.choice([timedelta(hours=3), timedelta(days=1), timedelta(days=-40),
                                   timedelta(days=40), timedelta(0)])
        o.prop("DTSTART", moved)
        if e.kind == "date":
            o.prop("DTEND", moved + timedelta(days=1))
        else:
            o.prop("DTEND", moved + timedelta(minutes=50))
        o.lines.append(f"SUMMARY:{title} (moved)")
        if rng.random() < 0.25:
            o.lines.append("STATUS:CANCELLED")
        o.lines.append("END:VEVENT")
        return o.lines

    def text(self):
        rng = self.rng
        events = []
        for n in range(rng.randint(1, 6)):
            events += self.event(n)
        head = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//lectern//calendar generator//EN"]
        if self.x_wr:
            head.append(f"X-WR-TIMEZONE:{self.x_wr}")
        for z in sorted(self.zones_used):
            head += VTIMEZONES[z].split("\n")
        lines = head + events + ["END:VCALENDAR"]
        if rng.random() < 0.5:
            lines = [fold(l) for l in lines]
        eol = "\r\n" if rng.random() < 0.7 else "\n"
        return eol.join(lines).replace("\n ", eol + " ") + eol


def fold(line):
    """RFC 5545 3.1: at most 75 octets a line, continued after a space (UTF-8 may be split)."""
    data = line.encode()
    if len(data) <= 75:
        return line
    parts, at = [], 0
    while at < len(data):
        n = 75 if at == 0 else 74
        parts.append(data[at:at + n])
        at += n
    return b"\n ".join(parts).decode("utf-8", errors="surrogateescape")


def generate(rng, seed):
    cal = Calendar(rng, seed)
    return cal.text(), cal.tz, cal.from_date, cal.days


def main():
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    seed, count, out = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
    for i in range(count):
        text, tz, from_date, days = generate(random.Random(seed * 1000003 + i), seed * 1000003 + i)
        with open(f"{out}/cal-{i}.ics", "w", encoding="utf-8", errors="surrogateescape",
                  newline="") as f:
            f.write(text)
        with open(f"{out}/cal-{i}.args", "w") as f:
            f.write(f"{tz} {from_date.isoformat()} {days}\n")


if __name__ == "__main__":
    main()
