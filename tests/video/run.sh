#!/bin/sh
# tests/video/run.sh - video near-duplicates end to end: generates synthetic
# videos and transformed copies with ffmpeg (make-videos.sh), hashes them with
# chaff hash, deduplicates them with chaff dedup --format frames, and scores
# the drops (score.py). Also checks chaff hash's own behaviour: directory
# order, thread independence, undecodable files under --on-error.
# usage: run.sh CHAFF     exit 77 (skipped) when ffmpeg is not installed
set -u
CHAFF=$1
here=$(cd "$(dirname "$0")" && pwd)
if ! command -v ffmpeg >/dev/null 2>&1; then
    echo "SKIP: ffmpeg is not installed (on Debian: apt-get install ffmpeg, or make deps)"
    exit 77
fi
work=$(mktemp -d "${TMPDIR:-/tmp}/chaff-video.XXXXXX")
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
t0=$(date +%s)
sh "$here/make-videos.sh" "$work/set" 2 || fail "could not generate the videos"
t1=$(date +%s)
# shellcheck disable=SC2046
"$CHAFF" hash -q --threads 2 --mirror --crops -o "$work/frames.jsonl" $(cut -f1 "$work/set/list.tsv") \
    || fail "chaff hash failed"
t2=$(date +%s)
[ "$(wc -l <"$work/frames.jsonl")" -eq "$(wc -l <"$work/set/list.tsv")" ] || fail "records missing"
"$CHAFF" dedup -q --format frames --mirror-field mirror --crop-field crops \
    --dropped "$work/dropped.jsonl" --kept "$work/kept.txt" "$work/frames.jsonl" || fail "chaff dedup failed"
python3 "$here/score.py" "$work/set/list.tsv" "$work/dropped.jsonl" || fail "scores below their floors"
# without the mirrors, flipped copies are not found
"$CHAFF" dedup -q --format frames --dropped "$work/nomirror.jsonl" "$work/frames.jsonl"
python3 "$here/score.py" "$work/set/list.tsv" "$work/nomirror.jsonl" | grep -q "recall mirror *0/" \
    || fail "flipped copies found without their mirror hashes"
# a cropped copy before its source: the source's variants find it (the copies
# come first here, so each source is dropped as a duplicate of one of them)
python3 - "$work/set/list.tsv" "$work/frames.jsonl" "$work/rev" <<'PY' || fail "crops first"
import sys
rows = [l for l in open(sys.argv[1])]
recs = [l for l in open(sys.argv[2])]
keep = [i for i, r in enumerate(rows) if r.split("\t")[2].rstrip() in ("crop5", "crop5_corner")]
keep += [i for i, r in enumerate(rows) if r.split("\t")[2].rstrip() == "source"]
open(sys.argv[3] + ".tsv", "w").writelines(rows[i] for i in keep)
open(sys.argv[3] + ".jsonl", "w").writelines(recs[i] for i in keep)
PY
"$CHAFF" dedup -q --format frames --crop-field crops --dropped - --kept /dev/null "$work/rev.jsonl" |
    python3 -c '
import json, sys
rows = [l.split("\t") for l in open(sys.argv[1])]
drops = [json.loads(l) for l in sys.stdin]
srcs = [i for i, r in enumerate(rows) if r[2].strip() == "source" and i in range(len(rows))]
found = sum(1 for d in drops if rows[d["index"]][2].strip() == "source" and rows[d["duplicate_of"]][1] == rows[d["index"]][1])
wrong = sum(1 for d in drops if rows[d["duplicate_of"]][1] != rows[d["index"]][1])
print(f"sources after their crops: {found} dropped as duplicates of a crop, {wrong} wrong")
sys.exit(0 if found >= 7 and not wrong else 1)' "$work/rev.tsv" || fail "sources after their cropped copies"

# --filter video: none of the generated videos is degenerate; a black video,
# a looped still image and a 1-second clip are, and never enter the index
"$CHAFF" dedup -q --format frames --filter video --mirror-field mirror \
    --dropped "$work/vdropped.jsonl" --kept /dev/null "$work/frames.jsonl" || fail "--filter video"
! grep -q '"reason":"video\.' "$work/vdropped.jsonl" || fail "--filter video dropped a generated video"
"$CHAFF" hash -q -o "$work/degen.jsonl" "$work/set/degen/black.mkv" "$work/set/degen/still.mkv" \
    "$work/set/degen/short.mkv" "$work/set/src/grad.mkv" || fail "hash of the degenerate videos"
"$CHAFF" dedup -q --format frames --filter video --dropped - --kept /dev/null "$work/degen.jsonl" |
    sed 's/"value":[^}]*/V/' >"$work/degen.out"
printf '%s\n' '{"index":0,"reason":"video.blank",V}' '{"index":1,"reason":"video.frozen",V}' \
    '{"index":2,"reason":"video.too_short",V}' | cmp -s - "$work/degen.out" ||
    fail "--filter video on degenerate videos: $(cat "$work/degen.out")"

# chaff hash: a directory is walked in sorted order, the same for any --threads
"$CHAFF" hash -q --threads 1 -o "$work/dir1.jsonl" "$work/set/src" || fail "hash of a directory"
"$CHAFF" hash -q --threads 3 -o "$work/dir3.jsonl" "$work/set/src" || fail "hash with 3 threads"
cmp -s "$work/dir1.jsonl" "$work/dir3.jsonl" || fail "--threads changed the output"
python3 - "$work/dir1.jsonl" <<'PY' || fail "directory order"
import json, sys
paths = [json.loads(l)["path"] for l in open(sys.argv[1])]
assert paths == sorted(paths) and len(paths) == 8, paths
r = json.loads(open(sys.argv[1]).readline())
assert r["fps"] == 1 and r["duration"] == len(r["frames"]) == 8, r
assert all(len(h) == 16 and int(h, 16) >> 63 == 0 for h in r["frames"]), r
PY
# links to files are followed, links to directories (here a loop) are not
mkdir -p "$work/walk/sub" && cp "$work/set/src/grad.mkv" "$work/walk/sub/b.mkv" &&
    cp "$work/set/src/tsrc.mkv" "$work/walk/a.mkv" && ln -s .. "$work/walk/sub/loop" &&
    ln -s ../a.mkv "$work/walk/sub/c.mkv" || fail "could not make the walk tree"
"$CHAFF" hash -q "$work/walk" | python3 -c '
import json, sys
paths = [json.loads(l)["path"].split("/walk/")[1] for l in sys.stdin]
assert paths == ["a.mkv", "sub/b.mkv", "sub/c.mkv"], paths' || fail "walk with links"
# an undecodable file: fatal by default, leaving no output; skipped on request
printf 'not a video\n' >"$work/bad.mkv"
"$CHAFF" hash -q -o "$work/err.jsonl" "$work/set/src/grad.mkv" "$work/bad.mkv" 2>"$work/err.txt"
[ $? -eq 1 ] || fail "an undecodable file did not fail"
[ ! -e "$work/err.jsonl" ] || fail "a failed run left its output"
grep -q "^chaff: $work/bad.mkv: cannot decode: " "$work/err.txt" || fail "message: $(cat "$work/err.txt")"
"$CHAFF" hash -q --on-error skip -o "$work/err.jsonl" "$work/set/src/grad.mkv" "$work/bad.mkv" \
    2>"$work/err.txt" || fail "--on-error skip failed"
[ "$(wc -l <"$work/err.jsonl")" -eq 1 ] || fail "--on-error skip output"
CHAFF_FFMPEG=/nonexistent/ffmpeg "$CHAFF" hash -q "$work/set/src/grad.mkv" 2>"$work/err.txt"
[ $? -eq 3 ] && grep -q "cannot run /nonexistent/ffmpeg" "$work/err.txt" || fail "missing ffmpeg"
# an image is a one-frame video: a scaled JPEG of a PNG is its duplicate
ffmpeg -nostdin -v error -f lavfi -i "mandelbrot=size=200x150" -frames:v 1 "$work/img.png" &&
    ffmpeg -nostdin -v error -i "$work/img.png" -vf scale=120:90 -q:v 8 "$work/img.jpg" ||
    fail "could not make the images"
"$CHAFF" hash -q -o "$work/img.jsonl" "$work/img.png" "$work/img.jpg" || fail "hash of images"
python3 - "$work/img.jsonl" <<'PY' || fail "image records"
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
assert [len(r["frames"]) for r in recs] == [1, 1], recs
PY
"$CHAFF" dedup -q --format frames --kept "$work/img.kept" "$work/img.jsonl"
[ "$(cat "$work/img.kept")" = 0 ] || fail "the scaled JPEG was kept"
t3=$(date +%s)
echo "ok: video set generated in $((t1 - t0)) s, hashed in $((t2 - t1)) s, CLI checks $((t3 - t2)) s"
