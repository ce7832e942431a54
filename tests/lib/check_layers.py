#!/usr/bin/env python3
"""Dependencies point down only: a module in firmware/GROUP/ includes the headers of its own
group and of the groups before it in the Makefile's FIRMWARE list (base, net, store, ...), never
of a later one. Prints each include that points up; exit 1 if there is any.

    check_layers.py REPO
"""
import glob
import os
import re
import sys

repo = sys.argv[1]
make = open(os.path.join(repo, "Makefile")).read()
listed = re.search(r"^FIRMWARE := (.*?)\n(?=\S)", make, re.S | re.M).group(1)
order = []
for item in listed.replace("\\", " ").split():
    group = item.split("/")[0]
    if group not in order:
        order.append(group)
group_of = {}
for group in order:
    for path in glob.glob(os.path.join(repo, "firmware", group, "*.c")):
        group_of[os.path.basename(path)[:-2]] = group
upward = 0
for group in order:
    for path in sorted(glob.glob(os.path.join(repo, "firmware", group, "*.c"))):
        for header in re.findall(r'#include "lectern/([a-z_0-9]+)\.h"', open(path).read()):
            target = group_of.get(header)
            if target and order.index(target) > order.index(group):
                print(f"{os.path.relpath(path, repo)} includes lectern/{header}.h of {target}/, "
                      f"a layer above {group}/")
                upward += 1
print(f"{len(group_of)} modules in {len(order)} layers ({', '.join(order)}): {upward} upward")
sys.exit(1 if upward else 0)
