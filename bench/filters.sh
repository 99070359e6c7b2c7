#!/bin/sh
# bench/filters.sh - chaff's filter presets beside datatrove's own filter classes, in one
# invocation, on the same real documents (machines are noisy: every ratio comes from one run).
#
# usage: sh bench/filters.sh [RUNS]        best of RUNS (default 3) for chaff
#   CHAFF=path       the chaff binary (default build/chaff)
#   REFERENCE=path   datatrove_filters.py (default ../shared/eval/filters-reference/...)
#   BENCH_KEEP=DIR   keep the corpus and the outputs in DIR
# Needs the Debian packages of scripts/install-deps.sh (the corpus) and, for the datatrove
# column, those the reference's README lists; without them that column is skipped.
# Prints, per preset: records/s and MB/s of chaff on one thread and on all cores, and of
# datatrove on one core, then the one-thread ratio. Also checks that chaff's decisions are
# the reference's on every record.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
RUNS=${1:-3}
CHAFF=${CHAFF:-$root/build/chaff}
REFERENCE=${REFERENCE:-$root/../shared/eval/filters-reference/datatrove_filters.py}
[ -x "$CHAFF" ] || { echo "bench: no $CHAFF (run make)" >&2; exit 1; }
work=${BENCH_KEEP:-$(mktemp -d "${TMPDIR:-/tmp}/chaff-filters.XXXXXX")}
mkdir -p "$work"
[ -n "${BENCH_KEEP:-}" ] || trap 'rm -rf "$work"' EXIT INT TERM
sh "$root/scripts/make-corpus.sh" --docs "$work/docs.jsonl"
bytes=$(wc -c < "$work/docs.jsonl")
records=$(wc -l < "$work/docs.jsonl")
echo "corpus: $records records, $bytes bytes (scripts/make-corpus.sh --docs)"
nproc=$(nproc 2>/dev/null || echo 1)

# best-of-RUNS seconds of one chaff filter run
best() {
    b=
    i=0
    while [ "$i" -lt "$RUNS" ]; do
        "$CHAFF" filter -q --threads "$1" --filter "$2" "$work/docs.jsonl" --kept /dev/null \
            --stats "$work/stats.json"
        s=$(sed 's/.*"seconds":\([0-9.]*\).*/\1/' "$work/stats.json")
        b=$(echo "$s $b" | awk '{ if (NF == 1 || $1 + 0 < $2 + 0) print $1; else print $2 }')
        i=$((i + 1))
    done
    echo "$b"
}

ref=
if [ -f "$REFERENCE" ] && /usr/bin/python3 -c 'import nltk, numpy' 2>/dev/null; then
    /usr/bin/python3 "$REFERENCE" "$work/docs.jsonl" "$work/ref.tsv" --jobs 1 2>"$work/ref.log"
    ref=$work/ref.tsv
else
    echo "bench: datatrove reference not available: its column is skipped" >&2
fi

printf '%-18s %12s %7s %12s %7s %13s %7s %6s\n' preset "chaff 1t r/s" "MB/s" \
    "chaff ${nproc}t r/s" "MB/s" "datatrove r/s" "MB/s" "ratio"
for p in gopher c4 fineweb synthetic degenerate gopher,c4,fineweb; do
    s1=$(best 1 "$p")
    sn=$(best 0 "$p")
    key=$p
    [ "$p" = "gopher,c4,fineweb" ] && key=all
    dr=- dm=- ratio=-
    if [ -n "$ref" ]; then
        dr=$(sed -n 's/^#meta //p' "$ref" | /usr/bin/python3 -c "import json,sys; m=json.load(sys.stdin)['speed_one_core']; print(m['$key']['docs_s'] if '$key' in m else '-')")
        dm=$(sed -n 's/^#meta //p' "$ref" | /usr/bin/python3 -c "import json,sys; m=json.load(sys.stdin)['speed_one_core']; print(m['$key']['MB_s'] if '$key' in m else '-')")
    fi
    awk -v p="$p" -v n="$records" -v b="$bytes" -v s1="$s1" -v sn="$sn" -v dr="$dr" -v dm="$dm" \
        'BEGIN { r1 = n / s1; printf "%-18s %12.0f %7.1f %12.0f %7.1f %13s %7s %6s\n", p, r1,
                 b / s1 / 1e6, n / sn, b / sn / 1e6, dr, dm, dr == "-" ? "-" : sprintf("%.0fx", r1 / dr) }'
done

if [ -n "$ref" ]; then
    for p in gopher c4 fineweb; do
        "$CHAFF" filter -q --filter "$p" "$work/docs.jsonl" --dropped "$work/d_$p.jsonl" --kept /dev/null
    done
    /usr/bin/python3 - "$ref" "$work" <<'PY'
import json, sys
ref, work = sys.argv[1], sys.argv[2]
rows = [l.rstrip('\n').split('\t') for l in open(ref) if not l.startswith(('#', 'index'))]
for k, p in enumerate(('gopher', 'c4', 'fineweb')):
    drop = {json.loads(l)['index'] for l in open(f'{work}/d_{p}.jsonl')}
    same = sum((int(r[0]) in drop) == (r[1 + k] != 'keep') for r in rows)
    print(f'{p}: same keep/drop decision as datatrove on {same} of {len(rows)} records')
PY
fi
