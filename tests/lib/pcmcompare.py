#!/usr/bin/env python3
"""Compare two raw S16LE mono PCM files: print the best normalised correlation over small
lags, the lag, and both lengths. Exit 1 when the correlation is below --min.

Used to prove the decoded recording *is* the input audio (a pipeline that drops, repeats,
byte-swaps or silences periods scores far below the threshold)."""
import argparse
import array
import math
import sys


def load(path):
    a = array.array("h")
    with open(path, "rb") as f:
        a.frombytes(f.read())
    if sys.byteorder == "big":
        a.byteswap()
    return a


def corr(x, y, lag):
    # y shifted by lag against x, over the overlap
    if lag >= 0:
        xs, ys = x[lag:], y
    else:
        xs, ys = x, y[-lag:]
    n = min(len(xs), len(ys))
    sxy = sxx = syy = 0.0
    for i in range(n):
        a = xs[i]
        b = ys[i]
        sxy += a * b
        sxx += a * a
        syy += b * b
    if sxx == 0 or syy == 0:
        return 0.0
    return sxy / math.sqrt(sxx * syy)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("reference")
    p.add_argument("decoded")
    p.add_argument("--min", type=float, default=0.9)
    p.add_argument("--max-lag", type=int, default=2)
    args = p.parse_args()
    ref, dec = load(args.reference), load(args.decoded)
    best = max((corr(ref, dec, lag), lag) for lag in range(-args.max_lag, args.max_lag + 1))
    print("correlation %.4f at lag %d; reference %d samples, decoded %d samples"
          % (best[0], best[1], len(ref), len(dec)))
    sys.exit(0 if best[0] >= args.min else 1)


if __name__ == "__main__":
    main()
