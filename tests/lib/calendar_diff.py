#!/usr/bin/python3
"""Differential test of lectern's calendar against an independent implementation.

    calendar_diff.py LECTERN CONFIG SEED COUNT WORKDIR [REPRODUCERS]

Generates COUNT calendars (gen_calendars.py, seeded: the same calendars every run), asks
`lectern schedule --ics FILE --from DAY --days N --json` under the calendar's TZ, expands the
same calendar with recurring_ical_events (Debian's python3-recurring-ical-events, on icalendar,
dateutil and pytz; independent of libical) and compares them instance by instance: uid, start
and end as instants, title. Prints the counts and every disagreement; exit 1 on any. A
calendar that disagrees is copied to REPRODUCERS (with its arguments) when given.

The oracle has defects of its own (recurring_ical_events 2.0.1); each is worked around below
where RFC 5545 says what is right, with the section. Nothing is compared more loosely than
"the same instants and titles".
Run it with Debian's /usr/bin/python3 (the packages live there).
"""
import json
import os
import random
import shutil
import subprocess
import sys
import time
from collections import Counter
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import icalendar
import recurring_ical_events
from dateutil.rrule import rrulestr

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gen_calendars  # noqa: E402


def local_midnight(day, tz):
    return datetime(day.year, day.month, day.day, tzinfo=ZoneInfo(tz)).timestamp()


def instant(value, floating_zone, tz):
    """A DATE or DATE-TIME from the oracle as unix seconds: DATE at the process zone's
    midnight, floating in X-WR-TIMEZONE or the process zone (calendar.h's rules)."""
    if isinstance(value, datetime):
        if value.tzinfo is None:
            return value.replace(tzinfo=floating_zone).timestamp()
        return value.timestamp()
    return datetime(value.year, value.month, value.day, tzinfo=ZoneInfo(tz)).timestamp()


def prepare(cal):
    """Work around the oracle's defects before it expands; returns what to apply after.

    - RFC 5545 3.3.10: a UTC UNTIL is compared with each instance's real start. dateutil
      compares it with the wall-clock time at DTSTART's offset (wrong by an hour across a DST
      change): the UNTIL is taken out of the rule here and applied to the instants after.
    - RFC 5545 3.8.5.2: an RDATE PERIOD is an instance with its own end. The oracle cannot
      take periods: the start is given as an RDATE, the end applied after. An RDATE that
      is also the rule's instance is one instance (3.8.5.3), with the period's end.
    - RFC 5546 3.2.5, RFC 5545 3.8.1.11: a series whose master is CANCELLED is cancelled as a
      whole, its overrides (RECURRENCE-ID) included; the oracle lists the overrides.
    """
    until, periods, rdates_at, cancelled = {}, {}, {}, set()
    for ev in cal.walk("VEVENT"):
        uid = str(ev.get("UID"))
        if "RECURRENCE-ID" not in ev and str(ev.get("STATUS", "")).upper() == "CANCELLED":
            cancelled.add(uid)
        rule = ev.get("RRULE")
        start = ev["DTSTART"].dt
        if rule and "UNTIL" in rule and isinstance(start, datetime) and start.tzinfo is not None:
            u = rule["UNTIL"][0]
            if isinstance(u, datetime) and u.tzinfo is not None:
                until[uid] = u.timestamp()
                del rule["UNTIL"]
        rdates = ev.get("RDATE")
        if rdates is None:
            continue
        for prop in rdates if isinstance(rdates, list) else [rdates]:
            for v in prop.dts:
                if isinstance(v.dt, tuple):
                    s, e = v.dt
                    e = s + e if isinstance(e, timedelta) else e
                    periods[(uid, s.timestamp())] = e.timestamp()
                    v.dt = s
                if isinstance(v.dt, datetime):
                    rdates_at.setdefault(uid, set()).add(
                        v.dt.timestamp() if v.dt.tzinfo else v.dt.isoformat())
    return until, periods, rdates_at, cancelled


def rid_key(value, as_date):
    """What identifies an instance (RFC 5545 3.8.4.4): its exact start, its date for DATE."""
    if as_date or not isinstance(value, datetime):
        return value.date() if isinstance(value, datetime) else value
    return value.timestamp() if value.tzinfo else value.isoformat()


def between(cal, span_start, span_stop):
    """recurring_ical_events' between(), with RECURRENCE-ID matched to the exact instance.

    RFC 5545 3.8.4.4: RECURRENCE-ID names one instance by its start. The oracle's between()
    matches by date only, so an override also removed another instance on the same day (an
    RDATE, or a second instance of the rule). Expansion itself stays the oracle's.
    """
    unfold = recurring_ical_events.UnfoldableCalendar(cal)
    moved = set()
    for rep in unfold.repetitions:
        if rep.is_recurrence():
            rid = rep.component["RECURRENCE-ID"].dt
            moved.add((str(rep.component.get("UID")), rid_key(rid, not isinstance(rid, datetime))))
    dated = {uid for uid, key in moved if isinstance(key, date)}
    events = []
    for rep in unfold.repetitions:
        uid = str(rep.component.get("UID"))
        if rep.is_recurrence():
            events.append(rep.as_single_event().as_vevent())
            continue
        for r in rep.within_days(span_start, span_stop):
            if (uid, rid_key(r.start, False)) in moved or \
                    (uid in dated and (uid, rid_key(r.start, True)) in moved):
                continue
            events.append(r.as_vevent())
    return events


def oracle(text, tz, from_day, days):
    """(uid, start, end, title) of every instance overlapping the window, by the oracle."""
    os.environ["TZ"] = tz
    time.tzset()
    cal = icalendar.Calendar.from_ical(text)
    x_wr = cal.get("X-WR-TIMEZONE")
    floating_zone = ZoneInfo(str(x_wr)) if x_wr else ZoneInfo(tz)
    # X-WR-TIMEZONE applies to floating times only (calendar.h); the oracle's own reading
    # (x_wr_timezone) also moves UTC times into it, so it is applied here instead.
    if x_wr:
        del cal["X-WR-TIMEZONE"]
    until, periods, rdates_at, cancelled = prepare(cal)
    lo, hi = local_midnight(from_day, tz), local_midnight(from_day + timedelta(days=days), tz)
    found = between(cal, datetime.combine(from_day - timedelta(days=3), datetime.min.time()),
                    datetime.combine(from_day + timedelta(days=days + 3), datetime.min.time()))
    out, seen = [], set()
    for ev in found:
        uid = str(ev.get("UID"))
        # RFC 5545 3.8.1.11: a cancelled event or instance does not take place.
        if str(ev.get("STATUS", "")).upper() == "CANCELLED" or uid in cancelled:
            continue
        start = ev["DTSTART"].dt
        s = instant(start, floating_zone, tz)
        if "RECURRENCE-ID" not in ev and uid in until and s > until[uid] and \
                s not in rdates_at.get(uid, ()):
            continue  # an RDATE is not bounded by the rule's UNTIL (RFC 5545 3.8.5.2)
        end = ev["DTEND"].dt
        e = instant(end, floating_zone, tz)
        source = original(cal, uid, "RECURRENCE-ID" in ev, ev)
        if not isinstance(start, datetime) and "DTEND" not in source and "DURATION" not in source:
            # RFC 5545 3.6.1: a DATE DTSTART without DTEND or DURATION lasts one day (the
            # oracle gives it none).
            e = instant(start + timedelta(days=1), floating_zone, tz)
        if "RECURRENCE-ID" not in ev and isinstance(start, datetime) and "DTEND" in source:
            # RFC 5545 3.8.5.3: with DTEND, every instance lasts the same exact duration. For
            # floating times the oracle adds it to the wall clock (an hour off across a DST
            # change in the zone they are read in).
            e = s + instant(source["DTEND"].dt, floating_zone, tz) - \
                instant(source["DTSTART"].dt, floating_zone, tz)
        dur = source.get("DURATION")
        if dur is not None and isinstance(start, datetime) and start.tzinfo is not None and \
                dur.dt.days:
            # RFC 5545 3.3.6: the days of a DURATION are nominal (23 or 25 hours across a
            # DST change); the oracle adds them as exact days.
            zone = ZoneInfo(tz_name(source)) if tz_name(source) else None
            if zone:
                wall = start.astimezone(zone).replace(tzinfo=None) + timedelta(days=dur.dt.days)
                e = wall.replace(tzinfo=zone).timestamp() + dur.dt.seconds
        if "RECURRENCE-ID" not in ev and (uid, s) in periods:
            e = periods[(uid, s)]
        if "RECURRENCE-ID" not in ev:
            # RFC 5545 3.8.5.3: an RDATE that is also the rule's instance is one instance.
            # dateutil keeps DTSTART's UTC offset for the rule's instances (pytz), so after
            # a DST change it takes the two for different ones.
            if (uid, s) in seen:
                continue
            seen.add((uid, s))
        if (s == e and lo <= s < hi) or (s != e and s < hi and e > lo):
            out.append((uid, s, e, str(ev.get("SUMMARY", ""))))
    return out


WINDOWS_TO_IANA = {"W. Europe Standard Time": "Europe/Berlin",
                   "Eastern Standard Time": "America/New_York",
                   "Customized Time Zone": "Asia/Kolkata"}


def tz_name(ev):
    tzid = ev["DTSTART"].params.get("TZID")
    if tzid is None:
        return None
    return WINDOWS_TO_IANA.get(str(tzid), str(tzid))


def original(cal, uid, is_override, ev):
    """The VEVENT an instance came from (its DURATION and DTEND as written)."""
    rid = ev.get("RECURRENCE-ID")
    for c in cal.walk("VEVENT"):
        if str(c.get("UID")) != uid or ("RECURRENCE-ID" in c) != is_override:
            continue
        if not is_override or c["RECURRENCE-ID"].to_ical() == rid.to_ical():
            return c
    return ev


def lectern(binary, config, path, tz, from_day, days):
    env = dict(os.environ, TZ=tz)
    r = subprocess.run([binary, "--config", config, "schedule", "--ics", path, "--from",
                        from_day.isoformat(), "--days", str(days), "--json"],
                       env=env, capture_output=True, timeout=60)
    if r.returncode != 0:
        raise RuntimeError(f"lectern exit {r.returncode}: {r.stderr.decode(errors='replace')[:300]}")
    out = []
    for line in r.stdout.decode().splitlines():
        o = json.loads(line)
        out.append((o["uid"], datetime.fromisoformat(o["start"]).timestamp(),
                    datetime.fromisoformat(o["end"]).timestamp(), o["title"]))
    return out


def show(t):
    uid, s, e, title = t
    iso = lambda x: datetime.fromtimestamp(x, timezone.utc).strftime("%Y-%m-%d %H:%M:%SZ")
    return f"{iso(s)} .. {iso(e)}  {uid}  {title!r}"


def main():
    if len(sys.argv) not in (6, 7):
        sys.exit(__doc__)
    binary, config, seed, count, work = sys.argv[1], sys.argv[2], int(sys.argv[3]), \
        int(sys.argv[4]), sys.argv[5]
    keep = sys.argv[6] if len(sys.argv) == 7 else None
    compared = disagreements = 0
    for i in range(count):
        calendar_seed = seed * 1000003 + i
        text, tz, from_day, days = gen_calendars.generate(random.Random(calendar_seed),
                                                          calendar_seed)
        path = os.path.join(work, f"cal-{i}.ics")
        with open(path, "w", encoding="utf-8", errors="surrogateescape", newline="") as f:
            f.write(text)
        try:
            mine = sorted(lectern(binary, config, path, tz, from_day, days))
            theirs = sorted(oracle(text.encode("utf-8", errors="surrogateescape"), tz,
                                   from_day, days))
        except Exception as e:  # a crash on either side is a disagreement too
            mine, theirs = [("error", 0, 0, str(e))], []
        compared += max(len(mine), len(theirs))
        if mine == theirs:
            continue
        disagreements += 1
        args = f"TZ={tz} --from {from_day} --days {days}"
        print(f"# calendar {calendar_seed} ({args}) disagrees:")
        for t in sorted((Counter(mine) - Counter(theirs)).elements()):
            print(f"#   lectern only: {show(t) if t[0] != 'error' else t[3]}")
        for t in sorted((Counter(theirs) - Counter(mine)).elements()):
            print(f"#   oracle only:  {show(t)}")
        if keep:
            os.makedirs(keep, exist_ok=True)
            shutil.copy(path, os.path.join(keep, f"diff-{calendar_seed}.ics"))
            with open(os.path.join(keep, f"diff-{calendar_seed}.args"), "w") as f:
                f.write(args + "\n")
    print(f"# differential: {count} calendars, {compared} instances compared, "
          f"{disagreements} disagreements")
    sys.exit(1 if disagreements else 0)


if __name__ == "__main__":
    main()
