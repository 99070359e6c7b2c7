#!/usr/bin/env python3
"""Measurement and reporting helper for bench/run.sh (Python 3 standard library only).

Every subcommand appends JSON objects to RESULTS (one per line); `table` prints them.
  corpus  RESULTS NAME FILE DESCRIPTION          records and bytes of a corpus
  xxh     RESULTS CORPUS FILE RUNS XXHSUM         xxhsum -H3 over FILE, best of RUNS (the file
                                                  is named several times in one process, so
                                                  at least ~256 MB are hashed per run)
  chaff   RESULTS CORPUS LABEL RUNS -- CMD...     CMD RUNS times ({stats} in CMD becomes a stats
                                                  path); keeps the run with the most records/s
  ds      RESULTS CORPUS LABEL NOTE RUNS -- CMD...  CMD RUNS times ({stats} likewise), the
                                                  run with the most records/s counts
  quality RESULTS CORPUS ENGINE SCORE_LINE        a line printed by shared/eval/score.py
  agree   RESULTS CORPUS A.jsonl B.jsonl          how two --dropped files agree
  skip    RESULTS CORPUS LABEL REASON             a row that could not be measured
  table   RESULTS [JSON_OUT]                      the table, ratios and quality figures
"""
import json
import os
import subprocess
import sys
import tempfile
import time

NOMINAL_DATASKETCH_RPS = 1600   # the project's reference figure for real datasketch
TARGET = 500


def append(path, obj):
    with open(path, 'a') as f:
        f.write(json.dumps(obj) + '\n')


def fail(msg):
    print(f'bench: {msg}', file=sys.stderr)
    sys.exit(1)


def run_timed(cmd):
    """Run cmd; return (wall seconds, peak RSS bytes of the child). Its stderr is shown
    only if it fails."""
    with tempfile.TemporaryFile() as err:
        t0 = time.perf_counter()
        p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=err)
        _, status, ru = os.wait4(p.pid, 0)
        secs = time.perf_counter() - t0
        code = os.waitstatus_to_exitcode(status)
        p.returncode = code
        if code:
            err.seek(0)
            sys.stderr.write(err.read().decode('utf-8', 'replace')[-4000:])
            fail(f'{" ".join(cmd)} exited with status {code}')
    return secs, ru.ru_maxrss * 1024


def count_file(path):
    n = size = 0
    with open(path, 'rb') as f:
        for line in f:
            n += 1
            size += len(line)
    return n, size


def cmd_corpus(res, name, path, desc):
    n, size = count_file(path)
    append(res, {'kind': 'corpus', 'corpus': name, 'file': path, 'records': n, 'bytes': size,
                 'desc': desc})


def cmd_xxh(res, corpus, path, runs, xxhsum):
    n, size = count_file(path)
    copies = max(1, -(-256_000_000 // max(size, 1)))
    cmd = [xxhsum, '-H3'] + [path] * copies
    run_timed(cmd)   # warm the page cache
    best = None
    for _ in range(int(runs)):
        secs, rss = run_timed(cmd)
        if best is None or secs < best[0]:
            best = (secs, rss)
    secs, rss = best
    append(res, {'kind': 'engine', 'corpus': corpus, 'key': 'xxh3',
                 'label': 'xxh3 floor (xxhsum -H3)', 'records': n,
                 'bytes': size * copies, 'seconds': secs,
                 'records_per_s': n * copies / secs, 'mb_per_s': size * copies / 1e6 / secs,
                 'peak_rss_bytes': rss,
                 'note': f'file hashed {copies}x per process, wall time, best of {runs}'})


def stats_cmd(cmd, stats):
    return [stats if a == '{stats}' else a for a in cmd]


def cmd_chaff(res, corpus, label, runs, cmd):
    best = None
    with tempfile.TemporaryDirectory() as d:
        stats = os.path.join(d, 'stats.json')
        for _ in range(int(runs)):
            run_timed(stats_cmd(cmd, stats))
            with open(stats) as f:
                s = json.load(f)
            if best is None or s['records_per_s'] > best['records_per_s']:
                best = s
    append(res, {'kind': 'engine', 'corpus': corpus, 'key': label, 'label': label,
                 'records': best['records'], 'bytes': best['bytes'],
                 'seconds': best['seconds'], 'records_per_s': best['records_per_s'],
                 'mb_per_s': best['mb_per_s'], 'peak_rss_bytes': best['peak_rss_bytes'],
                 'dropped': best['dropped']['exact'] + best['dropped']['near'],
                 'params': best.get('params'), 'note': f'best of {runs}'})


def cmd_ds(res, corpus, label, note, runs, cmd):
    s = None
    with tempfile.TemporaryDirectory() as d:
        stats = os.path.join(d, 'stats.json')
        for _ in range(int(runs)):
            run_timed(stats_cmd(cmd, stats))
            with open(stats) as f:
                one = json.load(f)
            if s is None or one['records_per_s'] > s['records_per_s']:
                s = one
    variant = ('perms shared' if s['params'].get('shared_permutations')
               else 'MinHash per record')
    append(res, {'kind': 'engine', 'corpus': corpus, 'key': label,
                 'label': f"{s['engine']}, {variant}",
                 'records': s['records'], 'bytes': s['bytes'], 'seconds': s['seconds'],
                 'records_per_s': s['records_per_s'], 'mb_per_s': s['mb_per_s'],
                 'peak_rss_bytes': s['peak_rss_bytes'], 'dropped': s['dropped'],
                 'params': s['params'], 'note': note})


def cmd_quality(res, corpus, engine, line):
    q = {}
    for tok in line.split():
        k, _, v = tok.partition('=')
        try:
            q[k] = float(v) if '.' in v else int(v)
        except ValueError:
            pass
    append(res, {'kind': 'quality', 'corpus': corpus, 'engine': engine, **q})


def dropped_set(path):
    out = set()
    with open(path) as f:
        for line in f:
            if line.strip():
                out.add(json.loads(line)['index'])
    return out


def cmd_agree(res, corpus, a, b):
    sa, sb = dropped_set(a), dropped_set(b)
    append(res, {'kind': 'agree', 'corpus': corpus, 'both': len(sa & sb),
                 'only_chaff': len(sa - sb), 'only_datasketch': len(sb - sa)})


def human_bytes(n):
    return f'{n / 1048576:.0f} MiB' if n >= 10485760 else f'{n / 1048576:.1f} MiB'


def cmd_table(res, json_out=None):
    rows = []
    with open(res) as f:
        rows = [json.loads(line) for line in f if line.strip()]
    corpora = [r for r in rows if r['kind'] == 'corpus']
    summary = {'corpora': {}, 'nominal_datasketch_records_per_s': NOMINAL_DATASKETCH_RPS,
               'target_speedup': TARGET}
    for c in corpora:
        name = c['corpus']
        listed = [r for r in rows if r['kind'] in ('engine', 'skip') and r['corpus'] == name]
        eng = [r for r in listed if r['kind'] == 'engine']
        skips = [r for r in listed if r['kind'] == 'skip']
        print(f'\n== corpus {name}: {c["records"]:,} records, {c["bytes"] / 1e6:.1f} MB '
              f'({c["bytes"] / max(c["records"], 1):.0f} B/record of JSONL)')
        print(f'   {c["desc"]}')
        w = max([len(r['label']) for r in eng] + [len(r['label']) for r in skips] + [20])
        print(f'  {"engine":<{w}} {"records":>9} {"records/s":>12} {"MB/s":>9} '
              f'{"peak RSS":>9}  note')
        for r in listed:
            if r['kind'] == 'skip':
                print(f'  {r["label"]:<{w}} {"-":>9} {"-":>12} {"-":>9} {"-":>9}  {r["reason"]}')
                continue
            print(f'  {r["label"]:<{w}} {r["records"]:>9,} {r["records_per_s"]:>12,.0f} '
                  f'{r["mb_per_s"]:>9.2f} {human_bytes(r["peak_rss_bytes"]):>9}  {r["note"]}')
        by = {r['key']: r for r in eng}
        ratios = {}
        c1 = by.get('chaff --threads 1')
        print('  ratios:')
        if c1:
            for key, what in (('ds-shared', 'datasketch, permutations shared (tuned use)'),
                              ('ds-default', 'datasketch, MinHash(num_perm=128) per record')):
                d = by.get(key)
                if d:
                    x = c1['records_per_s'] / d['records_per_s']
                    ratios[f'chaff_t1_over_{key}'] = x
                    tag = 'meets' if x >= TARGET else 'BELOW'
                    print(f'    chaff 1 thread / {what}: {x:,.0f}x records/s '
                          f'({tag} the {TARGET}x target; datasketch ran {d["records"]:,} '
                          f'records)')
            x = c1['records_per_s'] / NOMINAL_DATASKETCH_RPS
            ratios['chaff_t1_over_nominal_datasketch'] = x
            print(f'    chaff 1 thread / nominal datasketch {NOMINAL_DATASKETCH_RPS:,} records/s '
                  f'(not measured here): {x:,.0f}x')
        xx = by.get('xxh3')
        for r in eng:
            if r['key'].startswith('chaff') and xx:
                x = r['mb_per_s'] / xx['mb_per_s']
                ratios[f'{r["key"]} / xxh3 MB/s'] = x
                print(f'    {r["key"]} MB/s / xxh3 floor MB/s: {x:.4f} (1/{1 / x:,.0f})')
        sc = by.get('chaff --threads 1 --simd scalar')
        if c1 and sc:
            x = c1['records_per_s'] / sc['records_per_s']
            ratios['simd_gain'] = x
            print(f'    SIMD gain, default / --simd scalar (1 thread): {x:.2f}x')
        for r in eng:
            if r['key'].startswith('chaff --threads ') and r is not c1 and r is not sc and c1:
                x = r['records_per_s'] / c1['records_per_s']
                ratios[f'{r["key"]} / chaff --threads 1'] = x
                print(f'    {r["key"]} / chaff --threads 1: {x:.2f}x')
        qual = [r for r in rows if r['kind'] == 'quality' and r['corpus'] == name]
        if qual:
            print('  quality at t=0.8 (shared/eval oracle.py + score.py, exact Jaccard):')
            for q in qual:
                print(f'    {q["engine"]:<{w - 2}} dropped={q.get("dropped", "?"):<6} '
                      f'dup_recall={q.get("dup_recall", 0):.4f} '
                      f'drop_precision={q.get("drop_precision", 0):.4f} '
                      f'cluster_recall={q.get("cluster_recall", 0):.4f} '
                      f'drop_recall={q.get("drop_recall", 0):.4f}  '
                      f'(true pairs {q.get("true_pairs", "?")}, must drop '
                      f'{q.get("must_drop", "?")})')
        for a in (r for r in rows if r['kind'] == 'agree' and r['corpus'] == name):
            print(f'    drop decisions: {a["both"]} dropped by both, {a["only_chaff"]} by chaff '
                  f'only, {a["only_datasketch"]} by datasketch only')
        summary['corpora'][name] = {
            'records': c['records'], 'bytes': c['bytes'], 'desc': c['desc'],
            'engines': eng, 'skipped': skips, 'ratios': ratios, 'quality': qual,
            'agreement': [r for r in rows if r['kind'] == 'agree' and r['corpus'] == name]}
    if json_out:
        with open(json_out, 'w') as f:
            json.dump(summary, f, indent=1)
            f.write('\n')


def main():
    a = sys.argv[1:]
    if not a:
        fail('usage: see the top of bench/report.py')
    sub, rest = a[0], a[1:]
    if sub in ('chaff', 'ds'):
        if '--' not in rest:
            fail(f'{sub}: missing -- CMD')
        i = rest.index('--')
        head, cmd = rest[:i], rest[i + 1:]
        if sub == 'chaff':
            cmd_chaff(*head, cmd)
        else:
            cmd_ds(*head, cmd)
    elif sub == 'corpus':
        cmd_corpus(*rest)
    elif sub == 'xxh':
        cmd_xxh(*rest)
    elif sub == 'quality':
        cmd_quality(*rest)
    elif sub == 'agree':
        cmd_agree(*rest)
    elif sub == 'skip':
        res, corpus, label, reason = rest
        append(res, {'kind': 'skip', 'corpus': corpus, 'label': label, 'reason': reason})
    elif sub == 'table':
        cmd_table(*rest)
    else:
        fail(f'unknown subcommand {sub}')


if __name__ == '__main__':
    main()
