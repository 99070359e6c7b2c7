#!/usr/bin/env python3
"""tests/video/score.py - scores chaff dedup --format frames on the generated set.

usage: score.py LIST.tsv DROPPED.jsonl
LIST.tsv: path, source name, transformation, in record order (make-videos.sh).
A copy is found when it is dropped as a duplicate of a record of its own
source (the source itself or an earlier copy of it). Prints recall per
transformation and drop precision, and exits 1 when a transformation finds
fewer copies than its floor below or any drop joins two distinct sources.

The floors sit one copy in 8 under what chaff reaches at the default
settings (ffmpeg's threaded encoders do not give the same bytes on every
run, so one borderline copy may come and go), so that a change that loses
copies fails here. Crops are found through the crop variants (chaff hash
--crops, chaff dedup --crop-field crops): 8/8 of each set."""
import collections
import json
import sys

rows = [l.rstrip("\n").split("\t") for l in open(sys.argv[1])]
dropped = {}
for line in open(sys.argv[2]):
    d = json.loads(line)
    dropped[d["index"]] = d
group = [r[1] for r in rows]
per = collections.defaultdict(lambda: [0, 0])
good = bad = 0
for i, (path, src, tr) in enumerate(rows):
    d = dropped.get(i)
    if d is not None:
        if group[d["duplicate_of"]] == src:
            good += 1
        else:
            bad += 1
            print(f"wrong drop: {path} as a duplicate of {rows[d['duplicate_of']][0]}")
    if tr == "source":
        continue
    per[tr][1] += 1
    if d is not None and group[d["duplicate_of"]] == src:
        per[tr][0] += 1
    else:
        print(f"missed: {path}")
FLOOR = {}
ok = True
tot_f = tot_n = 0
for tr, (f, n) in per.items():
    need = FLOOR.get(tr, 0.875)
    flag = "" if f / n >= need else f"   BELOW the floor {need}"
    print(f"recall {tr:14s} {f}/{n} = {f / n:.3f}{flag}")
    if tr != "mirror":
        tot_f += f
        tot_n += n
    if flag:
        ok = False
prec = good / (good + bad) if good + bad else 1.0
print(f"recall (all but mirror) {tot_f}/{tot_n} = {tot_f / tot_n:.4f}")
print(f"precision {good}/{good + bad} = {prec:.4f}")
if bad or tot_f < 0.95 * tot_n:
    ok = False
sys.exit(0 if ok else 1)
