#!/usr/bin/env python3
"""bench/filter_agree.py REF.tsv OURS.tsv [--show N]: agreement of chaff's presets with
the reference decisions, per column: same keep/drop, same reason, and the
disagreements counted by (reference, ours) pair. Lines starting with # are skipped."""
import sys
from collections import Counter


def read(path):
    rows, header = {}, None
    for line in open(path, encoding='utf-8'):
        if line.startswith('#'):
            continue
        f = line.rstrip('\n').split('\t')
        if header is None:
            header = f
            continue
        rows[f[0]] = dict(zip(header[1:], f[1:]))
    return header, rows


def main():
    show = 0
    args = sys.argv[1:]
    if '--show' in args:
        i = args.index('--show')
        show = int(args[i + 1])
        del args[i:i + 2]
    _, ref = read(args[0])
    _, ours = read(args[1])
    common = [k for k in ref if k in ours]
    print(f'{len(common)} records in both ({len(ref)} reference, {len(ours)} ours)')
    for col in ('gopher', 'gopher_rep', 'c4', 'fineweb'):
        if col not in ref[common[0]] or col not in ours[common[0]]:
            continue
        same_kd = same = 0
        pairs = Counter()
        ex = {}
        for k in common:
            r, o = ref[k][col], ours[k][col]
            same_kd += (r == 'keep') == (o == 'keep')
            same += r == o
            if r != o:
                pairs[(r, o)] += 1
                ex.setdefault((r, o), []).append(k)
        n = len(common)
        print(f'{col:10s} keep/drop {100 * same_kd / n:6.2f}%  same reason {100 * same / n:6.2f}%  '
              f'({n - same} differ)')
        for (r, o), c in pairs.most_common(show or 12):
            print(f'    {c:5d}  ref {r:32s} ours {o:32s} e.g. {" ".join(ex[(r, o)][:5])}')


if __name__ == '__main__':
    main()
