#!/bin/sh
# bench/run.sh - chaff beside its baselines, in one invocation (machines are noisy, so every
# number a ratio is taken from is measured by this same run). `make bench` calls it.
#
# usage: sh bench/run.sh [options]       (every option also has an environment variable)
#   --corpus real|synth|both  CORPUS=both       which corpora (see bench/README.md)
#   --synth-records N         SYNTH_RECORDS=200000  synthetic corpus size (~467 B/record)
#   --ds-records N            DS_RECORDS=20000  records of the synthetic corpus datasketch
#                                               (permutations shared) runs on; the real
#                                               corpus is run whole (it gives the drops the
#                                               quality section scores)
#   --ds-default-records N    DS_DEFAULT_RECORDS=3000  records the slow default-usage
#                                               datasketch variant runs on (0 = skip it)
#   --real-copies K           REAL_COPIES=1     K>1 adds a corpus 'realxK': the real corpus
#                                               K times over, chaff and xxh3 only (every
#                                               copy after the first is an exact duplicate)
#   --threads "1 2"           THREADS="1 NPROC" chaff thread counts
#   --runs N                  RUNS=5            best of N for chaff and xxh3
#   --ds-runs N               DS_RUNS=3         best of N for datasketch
#   --no-quality              QUALITY=0         skip the oracle scoring
#   --json FILE               BENCH_JSON=       also write every figure as JSON
#   --keep DIR                BENCH_KEEP=       keep corpora, drops and raw results in DIR
#   CHAFF=path                the chaff binary (default: build/chaff, built with make if missing)
#   PYTHON=path               python3 with numpy (default /usr/bin/python3: Debian's numpy)
#   BENCH_NO_INSTALL=1        never apt-get install python3-numpy
set -eu

here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")

die() { echo "bench: $*" >&2; exit 1; }
note() { echo "bench: $*" >&2; }

CORPUS=${CORPUS:-both}
SYNTH_RECORDS=${SYNTH_RECORDS:-200000}
DS_RECORDS=${DS_RECORDS:-20000}
DS_DEFAULT_RECORDS=${DS_DEFAULT_RECORDS:-3000}
REAL_COPIES=${REAL_COPIES:-1}
nproc=$(nproc 2>/dev/null || echo 1)
THREADS=${THREADS:-1 $nproc}
RUNS=${RUNS:-5}
DS_RUNS=${DS_RUNS:-3}
QUALITY=${QUALITY:-1}
BENCH_JSON=${BENCH_JSON:-}
BENCH_KEEP=${BENCH_KEEP:-}
PYTHON=${PYTHON:-/usr/bin/python3}

usage() { sed -n '/^# usage:/,/^set -eu/p' "$0" | sed -e '$d' -e 's/^# \{0,1\}//'; }
while [ $# -gt 0 ]; do
    case $1 in
        -h|--help) usage; exit 0 ;;
        --no-quality) QUALITY=0; shift; continue ;;
        --corpus|--synth-records|--ds-records|--ds-default-records|--real-copies|--threads|\
        --runs|--ds-runs|--json|--keep)
            [ $# -ge 2 ] || die "$1 needs a value (see --help)" ;;
        *) die "unknown option '$1' (see --help)" ;;
    esac
    case $1 in
        --corpus) CORPUS=$2 ;;
        --synth-records) SYNTH_RECORDS=$2 ;;
        --ds-records) DS_RECORDS=$2 ;;
        --ds-default-records) DS_DEFAULT_RECORDS=$2 ;;
        --real-copies) REAL_COPIES=$2 ;;
        --threads) THREADS=$2 ;;
        --runs) RUNS=$2 ;;
        --ds-runs) DS_RUNS=$2 ;;
        --json) BENCH_JSON=$2 ;;
        --keep) BENCH_KEEP=$2 ;;
    esac
    shift 2
done
case $CORPUS in real|synth|both) ;; *) die "--corpus is real, synth or both, not '$CORPUS'" ;; esac
for v in "$SYNTH_RECORDS" "$DS_RECORDS" "$DS_DEFAULT_RECORDS" "$REAL_COPIES" "$RUNS" "$DS_RUNS" \
    $THREADS; do
    case $v in ''|*[!0-9]*) die "'$v' is not a number" ;; esac
done
if [ "$RUNS" -lt 1 ] || [ "$DS_RUNS" -lt 1 ]; then
    die "--runs and --ds-runs must be at least 1"
fi
[ "$REAL_COPIES" -ge 1 ] || die "--real-copies must be at least 1"
case $BENCH_JSON in ''|/*) ;; *) BENCH_JSON=$(pwd)/$BENCH_JSON ;; esac
case $BENCH_KEEP in ''|/*) ;; *) BENCH_KEEP=$(pwd)/$BENCH_KEEP ;; esac

# ---- tools ------------------------------------------------------------------------------
[ -x "$PYTHON" ] || PYTHON=$(command -v python3 || true)
[ -n "$PYTHON" ] || die "no python3 (Debian package python3; run scripts/install-deps.sh)"
XXHSUM=$(command -v xxhsum || true)
[ -n "$XXHSUM" ] || die "xxhsum not found: install the Debian package xxhash (sh scripts/install-deps.sh)"

if [ -z "${CHAFF:-}" ]; then
    CHAFF=$root/build/chaff
    if [ ! -x "$CHAFF" ]; then
        note "building chaff (Release) with make in $root"
        make -C "$root" >/dev/null || die "make failed; build chaff first or set CHAFF=path"
    fi
fi
[ -x "$CHAFF" ] || die "chaff binary '$CHAFF' not found or not executable"
"$CHAFF" dedup --help >/dev/null 2>&1 || die "'$CHAFF dedup --help' failed"
has_simd=0 simd_auto=""
if "$CHAFF" dedup --help 2>&1 | grep -q -- '--simd'; then
    has_simd=1 simd_auto="--simd auto"   # the default rows ignore a CHAFF_SIMD in the environment
fi

# datasketch: the real library if some python3 imports it, else our numpy re-implementation
DS_PY="" DS_BACKEND=""
for py in "$PYTHON" python3; do
    if "$py" -c 'import datasketch' >/dev/null 2>&1; then
        DS_PY=$(command -v "$py") DS_BACKEND=datasketch
        break
    fi
done
if [ -z "$DS_PY" ]; then
    if ! "$PYTHON" -c 'import numpy' >/dev/null 2>&1 && [ -z "${BENCH_NO_INSTALL:-}" ] &&
        [ "$PYTHON" = /usr/bin/python3 ] &&
        ! dpkg-query -W -f='${Status}' python3-numpy 2>/dev/null | grep -q "install ok installed"
    then
        SUDO=""
        [ "$(id -u)" -ne 0 ] && SUDO="sudo"
        if [ -z "$SUDO" ] || command -v sudo >/dev/null 2>&1; then
            note "installing python3-numpy for the datasketch-equivalent baseline"
            export DEBIAN_FRONTEND=noninteractive
            { $SUDO apt-get update -qq &&
              $SUDO apt-get install -y -qq --no-install-recommends python3-numpy >/dev/null; } ||
                note "could not install python3-numpy"
        fi
    fi
    if "$PYTHON" -c 'import numpy' >/dev/null 2>&1; then
        DS_PY=$PYTHON DS_BACKEND=equiv
    else
        note "SKIPPING the datasketch columns: datasketch is not importable and $PYTHON has no"
        note "numpy (apt-get install python3-numpy, or set PYTHON=a python3 with numpy)"
    fi
fi

# ---- work dir ---------------------------------------------------------------------------
tmp=$(mktemp -d "${TMPDIR:-/tmp}/chaff-bench.XXXXXX")
# shellcheck disable=SC2317  # called by the trap
cleanup() { rm -rf "$tmp"; }
trap cleanup EXIT
trap 'exit 130' INT TERM HUP
work=$tmp
if [ -n "$BENCH_KEEP" ]; then
    mkdir -p "$BENCH_KEEP"
    work=$BENCH_KEEP
fi
res=$work/results.jsonl
: >"$res"
report() { "$PYTHON" "$here/report.py" "$@"; }

t_start=$(date +%s)
echo "chaff bench: $("$CHAFF" --version 2>/dev/null | head -n 1) ($CHAFF)"
echo "machine: $(grep -m1 'model name' /proc/cpuinfo 2>/dev/null | sed 's/.*: //'), $nproc cores," \
     "load $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null)"
case $DS_BACKEND in
    datasketch) echo "datasketch: the real library ($DS_PY)" ;;
    equiv) echo "datasketch: not installed; bench/datasketch_equiv.py, a numpy re-implementation of" \
                "its algorithm, stands in ($DS_PY)" ;;
    *) echo "datasketch: skipped (no datasketch, no numpy)" ;;
esac

# ---- one corpus -------------------------------------------------------------------------
# bench_chaff CORPUS FILE: xxh3 floor and chaff at each thread count (and --simd scalar)
bench_chaff() {
    note "$1: xxh3 floor"
    report xxh "$res" "$1" "$2" "$RUNS" "$XXHSUM"
    for t in $THREADS; do
        note "$1: chaff --threads $t"
        # shellcheck disable=SC2086  # $simd_auto is empty or two words
        report chaff "$res" "$1" "chaff --threads $t" "$RUNS" -- \
            "$CHAFF" dedup --threads "$t" $simd_auto -q --stats '{stats}' --kept /dev/null "$2"
    done
    if [ "$has_simd" = 1 ]; then
        note "$1: chaff --threads 1 --simd scalar"
        report chaff "$res" "$1" "chaff --threads 1 --simd scalar" "$RUNS" -- \
            "$CHAFF" dedup --threads 1 --simd scalar -q --stats '{stats}' --kept /dev/null "$2"
    else
        report skip "$res" "$1" "chaff --threads 1 --simd scalar" \
            "n/a: this chaff dedup has no --simd option"
    fi
}

# bench_ds CORPUS FILE LIMIT [DROPPED]: both datasketch variants
bench_ds() {
    [ -n "$DS_BACKEND" ] || { report skip "$res" "$1" "datasketch" "skipped: no datasketch, no numpy"; return 0; }
    lim=$3
    what="all records"
    [ "$lim" -gt 0 ] && what="first $lim records"
    note "$1: datasketch ($DS_BACKEND), permutations shared, $what (slow)"
    if [ $# -ge 4 ]; then
        set -- "$1" "$2" "$3" --dropped "$4"
    else
        set -- "$1" "$2" "$3"
    fi
    c=$1 f=$2
    shift 3
    report ds "$res" "$c" ds-shared "$what, best of $DS_RUNS" "$DS_RUNS" -- \
        "$DS_PY" "$here/datasketch_equiv.py" "$f" --backend "$DS_BACKEND" --limit "$lim" \
        --shared-permutations --stats '{stats}' "$@"
    if [ "$DS_DEFAULT_RECORDS" -gt 0 ]; then
        note "$c: datasketch ($DS_BACKEND), MinHash(num_perm=128) per record, first $DS_DEFAULT_RECORDS records (slow)"
        report ds "$res" "$c" ds-default "first $DS_DEFAULT_RECORDS records, best of $DS_RUNS" \
            "$DS_RUNS" -- \
            "$DS_PY" "$here/datasketch_equiv.py" "$f" --backend "$DS_BACKEND" \
            --limit "$DS_DEFAULT_RECORDS" --stats '{stats}'
    fi
}

if [ "$CORPUS" != synth ]; then
    note "real: building the corpus with scripts/make-corpus.sh"
    sh "$root/scripts/make-corpus.sh" "$work/real.jsonl" ||
        die "scripts/make-corpus.sh failed (sh scripts/install-deps.sh installs its packages; or use --corpus synth)"
    report corpus "$res" real "$work/real.jsonl" \
        "Debian documentation (scripts/make-corpus.sh): licenses, copyright files, man pages, perl pod, fortunes"
    bench_chaff real "$work/real.jsonl"
    if [ "$QUALITY" = 1 ]; then
        bench_ds real "$work/real.jsonl" 0 "$work/real.ds-dropped.jsonl"
    else
        bench_ds real "$work/real.jsonl" 0
    fi
    if [ "$QUALITY" = 1 ]; then
        note "real: exact oracle (shared/eval/oracle.py, J >= 0.7) and scoring"
        oracle=$root/../shared/eval
        [ -f "$oracle/oracle.py" ] || oracle=/work/shared/eval
        if [ -f "$oracle/oracle.py" ]; then
            "$PYTHON" "$oracle/oracle.py" "$work/real.jsonl" "$work/real.pairs.tsv" --t 0.7 2>/dev/null
            "$CHAFF" dedup --threads 1 -q --kept /dev/null --dropped "$work/real.chaff-dropped.jsonl" \
                "$work/real.jsonl"
            n=$(wc -l <"$work/real.jsonl")
            report quality "$res" real "chaff" \
                "$("$PYTHON" "$oracle/score.py" "$work/real.pairs.tsv" "$work/real.chaff-dropped.jsonl" "$n" --t 0.8)"
            if [ -f "$work/real.ds-dropped.jsonl" ]; then
                report quality "$res" real "datasketch ($DS_BACKEND)" \
                    "$("$PYTHON" "$oracle/score.py" "$work/real.pairs.tsv" "$work/real.ds-dropped.jsonl" "$n" --t 0.8)"
                report agree "$res" real "$work/real.chaff-dropped.jsonl" "$work/real.ds-dropped.jsonl"
            fi
        else
            note "shared/eval/oracle.py not found: no quality figures"
        fi
    fi
    if [ "$REAL_COPIES" -gt 1 ]; then
        i=0
        : >"$work/realx.jsonl"
        while [ $i -lt "$REAL_COPIES" ]; do
            cat "$work/real.jsonl" >>"$work/realx.jsonl"
            i=$((i + 1))
        done
        report corpus "$res" "realx$REAL_COPIES" "$work/realx.jsonl" \
            "the real corpus $REAL_COPIES times over: every record after the first copy is an exact duplicate"
        bench_chaff "realx$REAL_COPIES" "$work/realx.jsonl"
        rm -f "$work/realx.jsonl"
    fi
fi

if [ "$CORPUS" != real ]; then
    # `chaff bench` (where it exists) keeps its generated corpus in memory; xxhsum and
    # datasketch need a file, so bench/synth.py writes one
    note "synth: generating $SYNTH_RECORDS records with bench/synth.py"
    "$PYTHON" "$here/synth.py" "$work/synth.jsonl" --records "$SYNTH_RECORDS" 2>/dev/null
    report corpus "$res" synth "$work/synth.jsonl" \
        "synthetic (bench/synth.py, seed 1): Zipf pseudo-words, ~10% near copies (1-6 word edits), ~2% exact copies"
    bench_chaff synth "$work/synth.jsonl"
    bench_ds synth "$work/synth.jsonl" "$DS_RECORDS"
fi

report table "$res" ${BENCH_JSON:+"$BENCH_JSON"}
echo
echo "(best of $RUNS for chaff and xxh3, of $DS_RUNS for datasketch, which runs on the records" \
     "named in its row and is compared by records/s; total $(( $(date +%s) - t_start )) s;" \
     "load at the end $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null); see bench/README.md)"
[ -n "$BENCH_JSON" ] && echo "results: $BENCH_JSON"
[ -n "$BENCH_KEEP" ] && echo "work files kept in $BENCH_KEEP"
exit 0
