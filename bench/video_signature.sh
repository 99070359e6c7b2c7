#!/bin/sh
# bench/video_signature.sh - chaff's video near-duplicates beside ffmpeg's
# MPEG-7 `signature` filter (detectmode full), on the generated test set of
# tests/video/make-videos.sh: recall per transformation (copy vs its source),
# false matches between distinct sources, and time.
#
# signature compares one pair per run, so it is run on each copy with its own
# source plus every pair of distinct sources; chaff hashes every file once and
# deduplicates the whole set (the collection, not pairs).
# usage: sh bench/video_signature.sh [DIR]   (DIR keeps the videos; default a temp dir)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
CHAFF=${CHAFF:-$root/build/chaff}
command -v ffmpeg >/dev/null || { echo "bench: ffmpeg is not installed" >&2; exit 1; }
dir=${1:-}
if [ -z "$dir" ]; then
    dir=$(mktemp -d "${TMPDIR:-/tmp}/chaff-sig.XXXXXX")
    trap 'rm -rf "$dir"' EXIT
fi
[ -f "$dir/set/list.tsv" ] || sh "$root/tests/video/make-videos.sh" "$dir/set" 2
list=$dir/set/list.tsv
now() { date +%s.%N; }

# chaff: hash everything (one thread, to compare with one signature run at a
# time), then dedup the collection
t0=$(now)
# shellcheck disable=SC2046
"$CHAFF" hash -q --threads 1 --mirror -o "$dir/frames.jsonl" $(cut -f1 "$list")
t1=$(now)
"$CHAFF" dedup -q --format frames --mirror-field mirror --dropped "$dir/dropped.jsonl" \
    --kept /dev/null "$dir/frames.jsonl"
t2=$(now)
frames=$(python3 -c "import json,sys; print(sum(len(json.loads(l)['frames']) for l in open(sys.argv[1])))" "$dir/frames.jsonl")
# ffmpeg -f null decoding the same files: the floor for hashing
t3=$(now)
for f in $(cut -f1 "$list"); do ffmpeg -nostdin -v error -i "$f" -f null - ; done
t4=$(now)

# signature: each copy against its source, and every pair of distinct sources
: >"$dir/sig.tsv"
t5=$(now)
while IFS="$(printf '\t')" read -r path src tr; do
    [ "$tr" = source ] && continue
    out=$(ffmpeg -hide_banner -nostdin -i "$dir/set/src/$src.mkv" -i "$path" -filter_complex \
        "[0:v][1:v]signature=nb_inputs=2:detectmode=full" -f null - 2>&1 || echo "CRASH")
    case $out in
        *CRASH*) r=crash ;;
        *"matching of video 0 at"*) r=match ;;
        *) r=nomatch ;;
    esac
    printf '%s\t%s\n' "$tr" "$r" >>"$dir/sig.tsv"
done <"$list"
t6=$(now)
srcs=$(awk -F'\t' '$3 == "source" { print $1 }' "$list")
fp=0
np=0
for a in $srcs; do
    for b in $srcs; do
        [ "$a" \< "$b" ] || continue
        np=$((np + 1))
        ffmpeg -hide_banner -nostdin -i "$a" -i "$b" -filter_complex \
            "[0:v][1:v]signature=nb_inputs=2:detectmode=full" -f null - 2>&1 |
            grep -q "matching of video 0 at" && fp=$((fp + 1))
    done
done
python3 "$root/tests/video/score.py" "$list" "$dir/dropped.jsonl" | grep -E "^recall|^precision" >"$dir/chaff.txt" || true
python3 - "$dir" "$t0" "$t1" "$t2" "$t3" "$t4" "$t5" "$t6" "$frames" "$fp" "$np" <<'PY'
import collections, sys
d = sys.argv[1]
t0, t1, t2, t3, t4, t5, t6 = map(float, sys.argv[2:9])
frames, fp, npairs = int(sys.argv[9]), int(sys.argv[10]), int(sys.argv[11])
sig = collections.defaultdict(lambda: [0, 0, 0])
for line in open(f"{d}/sig.tsv"):
    tr, r = line.split()
    sig[tr][1] += 1
    sig[tr][0] += r == "match"
    sig[tr][2] += r == "crash"
chaff = {}
for line in open(f"{d}/chaff.txt"):
    if line.startswith("recall ") and "/" in line and not line.startswith("recall ("):
        parts = line.split()
        chaff[parts[1]] = parts[2]
print(f"{'transformation':16s} {'chaff':>8s} {'signature':>10s}")
tf = tn = sf = 0
for tr, (m, n, c) in sig.items():
    extra = f"  ({c} crashed)" if c else ""
    print(f"{tr:16s} {chaff.get(tr, '?'):>8s} {m:>6d}/{n}{extra}")
    sf += m
    tn += n
    tf += int(chaff.get(tr, "0/0").split("/")[0])
print(f"{'all':16s} {tf:>4d}/{tn} {sf:>6d}/{tn}")
print(f"signature: {fp} of {npairs} pairs of distinct sources matched; "
      f"{(t6 - t5) / tn:.2f} s per pair ({t6 - t5:.1f} s for {tn} pairs)")
print(f"chaff: hash {t1 - t0:.1f} s ({frames} frames sampled from {tn + 8} files, "
      f"{frames / (t1 - t0):.1f} sampled frames/s), dedup {t2 - t1:.2f} s; "
      f"ffmpeg -f null decoding the same files: {t4 - t3:.1f} s")
PY
