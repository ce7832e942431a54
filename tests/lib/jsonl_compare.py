#!/usr/bin/env python3
"""Compare `lectern schedule --json` output with an expected JSON-lines file.

    jsonl_compare.py EXPECTED ACTUAL     exit 0: same occurrences, same order, same fields
                                         exit 1: they differ (the first difference is explained),
                                                 or a file cannot be read, or bad usage
    jsonl_compare.py --self-test         checks the comparator itself

Each non-empty line is parsed as one JSON object (so escaping and key order do not matter);
values must match exactly, types included (true is not 1, 3 is not "3"). Occurrences are
compared in order. On the first mismatch it says whether an occurrence is missing, extra, out
of order, or which fields differ (a time written differently but naming the same instant is
pointed out), then lists both sides. Standard library only.
"""
import json
import sys
from datetime import datetime

TIME_FIELDS = ("start", "end", "recurrence_id")


class Unreadable(Exception):
    pass


def load(path, label):
    try:
        with open(path, "rb") as f:
            data = f.read()
    except OSError as e:
        raise Unreadable(f"{label}: cannot read {path}: {e.strerror}")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        return None, f"{label} ({path}) is not valid UTF-8 at byte {e.start}"
    items = []
    for n, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except ValueError as e:
            return None, f"{label} line {n} is not JSON ({e}): {line[:200]}"
        if not isinstance(obj, dict):
            return None, f"{label} line {n} is not a JSON object: {line[:200]}"
        items.append(obj)
    return items, None


def same(a, b):
    """Equal with types: JSON true must not match 1, 1 must not match 1.0."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    return a == b


def instant(v):
    if not isinstance(v, str):
        return None
    try:
        t = datetime.fromisoformat(v.replace("Z", "+00:00"))
    except ValueError:
        return None
    return t.timestamp() if t.tzinfo else None


def ident(o):
    return (o.get("uid"), o.get("start"))


def brief(o):
    s = f"{o.get('start', '?')} .. {o.get('end', '?')}  {o.get('uid', '?')}"
    t = o.get("title")
    if t:
        s += f"  \"{t}\""
    if "recurrence_id" in o:
        s += f"  (recurrence_id {o['recurrence_id']})"
    return s


def field_diffs(want, got):
    out = []
    for k in list(want) + [k for k in got if k not in want]:
        if k not in got:
            out.append(f"  field {k!r}: expected {json.dumps(want[k], ensure_ascii=False)}, missing in output")
        elif k not in want:
            out.append(f"  field {k!r}: not expected, output has {json.dumps(got[k], ensure_ascii=False)}")
        elif not same(want[k], got[k]):
            line = (f"  field {k!r}: expected {json.dumps(want[k], ensure_ascii=False)}, "
                    f"got {json.dumps(got[k], ensure_ascii=False)}")
            if k in TIME_FIELDS:
                a, b = instant(want[k]), instant(got[k])
                if a is not None and b is not None:
                    if a == b:
                        line += "  (same instant, written differently: wrong UTC offset or format)"
                    else:
                        line += f"  (off by {b - a:+.0f} s)"
            elif type(want[k]) is not type(got[k]):
                line += f"  (type {type(want[k]).__name__} expected, got {type(got[k]).__name__})"
            out.append(line)
    return out


def explain(want, got):
    """Return the lines describing the first difference, or [] when equal."""
    for i in range(max(len(want), len(got))):
        if i < len(want) and i < len(got) and same(want[i], got[i]):
            continue
        lines = [f"expected {len(want)} occurrence(s), got {len(got)}; first difference at #{i + 1}:"]
        if i >= len(got):
            lines.append("missing occurrence(s) at the end:")
            lines += [f"  - {brief(o)}" for o in want[i:]]
        elif i >= len(want):
            lines.append("extra occurrence(s) at the end:")
            lines += [f"  + {brief(o)}" for o in got[i:]]
        else:
            w, g = want[i], got[i]
            want_ids = [ident(o) for o in want]
            got_ids = [ident(o) for o in got]
            if ident(w) == ident(g) or (w.get("uid") == g.get("uid") and
                                        ident(w) not in got_ids and ident(g) not in want_ids):
                lines.append(f"occurrence {brief(w)}")
                lines += field_diffs(w, g)
            elif ident(w) not in got_ids:
                lines.append(f"missing occurrence: {brief(w)}")
                lines.append(f"  (output has instead: {brief(g)})")
            elif ident(g) not in want_ids:
                lines.append(f"extra occurrence: {brief(g)}")
                lines.append(f"  (expected here: {brief(w)})")
            else:
                lines.append("order differs (sorted by start, then end, then uid):")
                lines.append(f"  expected here: {brief(w)}")
                lines.append(f"  output has:    {brief(g)}")
        lines.append("expected:")
        lines += [f"  {'>' if n == i else ' '} {brief(o)}" for n, o in enumerate(want[:40])]
        lines.append("output:")
        lines += [f"  {'>' if n == i else ' '} {brief(o)}" for n, o in enumerate(got[:40])]
        return lines
    return []


def compare_files(expected, actual, out=sys.stdout):
    try:
        want, err = load(expected, "expected")
        if err:
            print(err, file=out)
            return 1
        got, err = load(actual, "output")
    except Unreadable as e:
        print(e, file=out)
        return 1
    if err:
        print(err, file=out)
        return 1
    lines = explain(want, got)
    for line in lines:
        print(line, file=out)
    return 1 if lines else 0


def self_test():
    import io
    import os
    import tempfile

    a = {"uid": "u1", "start": "2026-03-24T12:00:00+01:00", "end": "2026-03-24T13:00:00+01:00",
         "all_day": False, "title": "Brown bag", "presenter": "Grace", "location": "R", "attendees": 3}
    b = dict(a, start="2026-03-31T12:00:00+02:00", end="2026-03-31T13:00:00+02:00")
    c = dict(a, uid="u2", start="2026-04-08T14:00:00+02:00", end="2026-04-08T15:00:00+02:00",
             recurrence_id="2026-04-07T12:00:00+02:00")
    want = [a, b, c]
    j = lambda o: json.dumps(o, ensure_ascii=False)
    cases = [
        # (name, output lines, expected exit, substring of the report)
        ("identical", [j(a), j(b), j(c)], 0, ""),
        ("key order and escaping do not matter",
         [json.dumps(dict(reversed(list(a.items())))), j(b), json.dumps(c, ensure_ascii=True), ""], 0, ""),
        ("missing at end", [j(a), j(b)], 1, "missing occurrence(s) at the end"),
        ("missing in middle", [j(a), j(c)], 1, "missing occurrence: 2026-03-31"),
        ("extra", [j(a), j(dict(a, uid="zz")), j(b), j(c)], 1, "extra occurrence: 2026-03-24"),
        ("extra at end", [j(a), j(b), j(c), j(c)], 1, "extra occurrence(s) at the end"),
        ("order", [j(b), j(a), j(c)], 1, "order differs"),
        ("title", [j(a), j(dict(b, title="x")), j(c)], 1, "field 'title': expected \"Brown bag\", got \"x\""),
        ("bool vs int", [j(dict(a, all_day=0)), j(b), j(c)], 1, "type bool expected, got int"),
        ("int vs str", [j(dict(a, attendees="3")), j(b), j(c)], 1, "field 'attendees'"),
        ("same instant other offset", [j(dict(a, start="2026-03-24T11:00:00+00:00")), j(b), j(c)], 1,
         "same instant, written differently"),
        ("shifted an hour", [j(a), j(dict(b, start="2026-03-31T13:00:00+02:00")), j(c)], 1, "off by +3600 s"),
        ("recurrence_id missing", [j(a), j(b), j({k: v for k, v in c.items() if k != "recurrence_id"})], 1,
         "field 'recurrence_id': expected \"2026-04-07T12:00:00+02:00\", missing in output"),
        ("recurrence_id extra", [j(dict(a, recurrence_id="2026-03-24T12:00:00+01:00")), j(b), j(c)], 1,
         "field 'recurrence_id': not expected"),
        ("not json", [j(a), "uid=u1 start=...", j(c)], 1, "output line 2 is not JSON"),
        ("empty output", [], 1, "expected 3 occurrence(s), got 0"),
    ]
    failures = 0
    with tempfile.TemporaryDirectory() as d:
        exp = os.path.join(d, "want.jsonl")
        with open(exp, "w", encoding="utf-8") as f:
            f.write("".join(j(o) + "\n" for o in want))
        for name, lines, code, needle in cases:
            act = os.path.join(d, "got.jsonl")
            with open(act, "w", encoding="utf-8") as f:
                f.write("".join(line + "\n" for line in lines))
            buf = io.StringIO()
            rc = compare_files(exp, act, buf)
            if rc != code or needle not in buf.getvalue():
                failures += 1
                print(f"not ok - {name}: exit {rc}, wanted {code}; report:\n{buf.getvalue()}")
            else:
                print(f"ok - {name}")
        empty = os.path.join(d, "empty.jsonl")
        open(empty, "w").close()
        buf = io.StringIO()
        if compare_files(empty, empty, buf) != 0:
            failures += 1
            print("not ok - empty vs empty")
        else:
            print("ok - empty vs empty")
    return 1 if failures else 0


def main(argv):
    if argv[1:] == ["--self-test"]:
        return self_test()
    if len(argv) != 3:
        print(__doc__.strip(), file=sys.stderr)
        return 1
    return compare_files(argv[1], argv[2])


if __name__ == "__main__":
    sys.exit(main(sys.argv))
