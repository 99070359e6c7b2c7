#!/bin/sh
# bench/frames_bench.sh - chaff dedup --format frames on a synthetic corpus of
# N videos x F frame hashes (bench/frames_gen.c), one thread: time, videos/s,
# peak RSS, candidates, and the share of planted copies found.
# usage: sh bench/frames_bench.sh [N [F]]     (default 1000000 videos x 60 frames)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
CHAFF=${CHAFF:-$root/build/chaff}
n=${1:-1000000}
f=${2:-60}
dir=$(mktemp -d "${TMPDIR:-/tmp}/chaff-frames.XXXXXX")
trap 'rm -rf "$dir"' EXIT
${CC:-cc} -O2 -o "$dir/frames_gen" "$here/frames_gen.c"
"$dir/frames_gen" "$n" "$f" 7 "$dir/truth.tsv" >"$dir/corpus.jsonl"
"$CHAFF" dedup -q --format frames --threads 1 --stats "$dir/stats.json" \
    --dropped "$dir/dropped.jsonl" --kept /dev/null "$dir/corpus.jsonl"
python3 - "$dir" "$n" "$f" <<'PY'
import json, sys
d, n, f = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
s = json.load(open(f"{d}/stats.json"))
truth = dict(tuple(map(int, l.split())) for l in open(f"{d}/truth.tsv"))
drop = {}
for line in open(f"{d}/dropped.jsonl"):
    r = json.loads(line)
    drop[r["index"]] = r["duplicate_of"]
def root(i):
    while i in truth:
        i = truth[i]
    return i
found = sum(1 for c in truth if c in drop and root(drop[c]) == root(c))
wrong = sum(1 for c in drop if c not in truth or root(drop[c]) != root(c))
print(f"{n} videos x {f} frames, 1 thread: {s['seconds']:.1f} s, {s['records_per_s']} videos/s, "
      f"peak RSS {s['peak_rss_bytes'] / 1e9:.2f} GB (index {s['index_bytes'] / 1e9:.2f} GB), "
      f"{s['candidates'] / n:.1f} candidates per video")
print(f"planted copies found: {found}/{len(truth)} = {found / len(truth):.4f}; wrong drops: {wrong}")
PY
