#!/usr/bin/env python3
"""The datasketch baseline for bench/run.sh: MinHash(num_perm=128) + MinHashLSH(threshold=0.8),
keep-first, over the same word 5-gram shingles chaff uses.

usage: datasketch_equiv.py INPUT.jsonl [--limit N] [--field text] [--ngram 5]
           [--threshold 0.8] [--num-perm 128] [--dropped FILE] [--stats FILE]
           [--backend auto|datasketch|equiv] [--shared-permutations] [--params]

Backends:
  datasketch  the real library (`import datasketch`), used by `auto` when it imports.
  equiv       this file's re-implementation of datasketch's published algorithm, written
              from its description (no datasketch code), with numpy:
              - each shingle (the n words joined by one space, UTF-8) is hashed with SHA-1 and
                the first 4 digest bytes read as a little-endian 32-bit integer (datasketch's
                default hashfunc);
              - every MinHash draws its own 128 (a, b) pairs from numpy's RandomState(seed=1),
                a in [1, p), b in [0, p), p = 2^61 - 1, one pair at a time (what
                MinHash(num_perm=128) does when no `permutations=` is passed; see
                --shared-permutations for the tuned variant that draws them once);
              - update_batch: the shingle hashes as a column times the 128 a's plus the b's, in
                uint64 arithmetic, mod p, & 0xFFFFFFFF, then the column-wise minimum with the
                current values (initially 0xFFFFFFFF);
              - LSH: (bands, rows) minimising the equal-weight sum of the integrated false
                positive (0..T) and false negative (T..1) probabilities of 1-(1-s^r)^b over all
                b*r <= num_perm (9 x 13 for 128 at 0.8); a band key is the bytes of the band's
                byte-swapped uint64 values; one dict per band maps a key to a set of record ids;
                a per-record list of its band keys is kept too;
              - keep-first: query (union of the record's band buckets); a record with any
                candidate is dropped as a duplicate of the smallest candidate, else inserted.
Tokens follow shared/eval/oracle.py: lowercase, words are runs of Unicode letters and digits,
a record with fewer than n words (but at least one) is one shingle of all its words; a record
with no words gets an empty MinHash (and so collides with every other empty record, as in
datasketch).

Outputs: --dropped writes {"index":i,"reason":"near","duplicate_of":j} lines (the format of
chaff's --dropped, which shared/eval/score.py reads); --stats writes a JSON summary with the
same field names as chaff's --stats (records, bytes, seconds, records_per_s, mb_per_s,
peak_rss_bytes). `seconds` runs from opening the input to the last decision: interpreter
start-up and module imports are not counted. --params prints the chosen bands and rows.
"""
import hashlib
import json
import re
import resource
import struct
import sys
import time

MERSENNE = (1 << 61) - 1
MAX_HASH = (1 << 32) - 1
WORD = re.compile(r'[^\W_]+')


def die(msg, code=2):
    print(f'datasketch_equiv.py: {msg}', file=sys.stderr)
    sys.exit(code)


def parse_args(argv):
    opt = {'--limit': '0', '--field': 'text', '--ngram': '5', '--threshold': '0.8',
           '--num-perm': '128', '--dropped': None, '--stats': None, '--backend': 'auto'}
    flags = {'--shared-permutations': False, '--params': False}
    inputs = []
    i = 0
    while i < len(argv):
        a = argv[i]
        if a in flags:
            flags[a] = True
        elif a in opt:
            if i + 1 >= len(argv):
                die(f'{a} needs a value')
            opt[a] = argv[i + 1]
            i += 1
        elif a.startswith('-') and a != '-':
            die(f'unknown option {a}')
        else:
            inputs.append(a)
        i += 1
    if len(inputs) != 1 and not flags['--params']:
        die('usage: datasketch_equiv.py INPUT.jsonl [options] (see the top of this file)')
    return opt, flags, inputs


# ---- LSH parameters: datasketch's criterion, computed with our own quadrature -------------
def _integral(f, lo, hi, steps=2000):
    """Composite Simpson's rule (steps even)."""
    if hi <= lo:
        return 0.0
    h = (hi - lo) / steps
    total = f(lo) + f(hi)
    for k in range(1, steps):
        total += (4 if k & 1 else 2) * f(lo + k * h)
    return total * h / 3


def optimal_bands_rows(threshold, num_perm, fp_weight=0.5, fn_weight=0.5):
    best, best_err = (0, 0), float('inf')
    for b in range(1, num_perm + 1):
        for r in range(1, num_perm // b + 1):
            def p_candidate(s, b=b, r=r):
                return 1.0 - (1.0 - s ** r) ** b
            fp = _integral(p_candidate, 0.0, threshold, 400)
            fn = _integral(lambda s: 1.0 - p_candidate(s), threshold, 1.0, 400)
            err = fp * fp_weight + fn * fn_weight
            if err < best_err:
                best, best_err = (b, r), err
    return best


# ---- tokens --------------------------------------------------------------------------------
def shingles(text, n):
    w = WORD.findall(text.lower())
    if not w:
        return []
    if len(w) < n:
        return [' '.join(w).encode('utf-8')]
    return list({' '.join(w[i:i + n]).encode('utf-8') for i in range(len(w) - n + 1)})


def sha1_hash32(data):
    return struct.unpack('<I', hashlib.sha1(data).digest()[:4])[0]


# ---- the re-implementation -------------------------------------------------------------------
class EquivMinHash:
    def __init__(self, np, num_perm, permutations=None, seed=1):
        self.np = np
        if permutations is None:
            permutations = draw_permutations(np, num_perm, seed)
        self.a, self.b = permutations
        self.hashvalues = np.full(num_perm, MAX_HASH, dtype=np.uint64)

    def update_batch(self, items):
        np = self.np
        hv = np.array([sha1_hash32(x) for x in items], dtype=np.uint64, ndmin=2).T
        phv = ((hv * self.a + self.b) % np.uint64(MERSENNE)) & np.uint64(MAX_HASH)
        self.hashvalues = np.vstack([phv, self.hashvalues]).min(axis=0)


def draw_permutations(np, num_perm, seed):
    gen = np.random.RandomState(seed)
    pairs = [(gen.randint(1, MERSENNE, dtype=np.uint64), gen.randint(0, MERSENNE, dtype=np.uint64))
             for _ in range(num_perm)]
    return np.array(pairs, dtype=np.uint64).T


class EquivLSH:
    def __init__(self, bands, rows):
        self.ranges = [(i * rows, (i + 1) * rows) for i in range(bands)]
        self.tables = [dict() for _ in range(bands)]
        self.keys = {}

    def _band_keys(self, m):
        return [bytes(m.hashvalues[s:e].byteswap().data) for s, e in self.ranges]

    def query(self, m):
        found = set()
        for key, table in zip(self._band_keys(m), self.tables):
            found.update(table.get(key, ()))
        return list(found)

    def insert(self, ident, m):
        if ident in self.keys:
            raise ValueError(f'duplicate key {ident}')
        keys = self._band_keys(m)
        self.keys[ident] = keys
        for key, table in zip(keys, self.tables):
            table.setdefault(key, set()).add(ident)


def main():
    opt, flags, inputs = parse_args(sys.argv[1:])
    limit = int(opt['--limit'])
    n = int(opt['--ngram'])
    threshold = float(opt['--threshold'])
    num_perm = int(opt['--num-perm'])
    field = opt['--field']
    backend = opt['--backend']
    if backend not in ('auto', 'datasketch', 'equiv'):
        die('--backend is auto, datasketch or equiv')
    if flags['--params']:
        b, r = optimal_bands_rows(threshold, num_perm)
        print(json.dumps({'threshold': threshold, 'num_perm': num_perm, 'bands': b, 'rows': r}))
        return

    ds = None
    if backend in ('auto', 'datasketch'):
        try:
            import datasketch as ds
        except ImportError:
            if backend == 'datasketch':
                die('datasketch is not importable by this python', 1)
    try:
        import numpy as np
    except ImportError:
        die(f'numpy is not importable by {sys.executable} (Debian: apt-get install '
            'python3-numpy, then run /usr/bin/python3)', 1)

    shared = flags['--shared-permutations']
    if ds is not None:
        engine = 'datasketch ' + getattr(ds, '__version__', '?')
        lsh = ds.MinHashLSH(threshold=threshold, num_perm=num_perm)
        bands, rows = lsh.b, lsh.r
        perms = ds.MinHash(num_perm=num_perm).permutations if shared else None

        def sketch(sh):
            m = ds.MinHash(num_perm=num_perm, permutations=perms) if shared \
                else ds.MinHash(num_perm=num_perm)
            if hasattr(m, 'update_batch'):
                m.update_batch(sh)
            else:
                for x in sh:
                    m.update(x)
            return m
    else:
        engine = 'datasketch-equivalent (numpy, same algorithm)'
        bands, rows = optimal_bands_rows(threshold, num_perm)
        lsh = EquivLSH(bands, rows)
        perms = draw_permutations(np, num_perm, 1) if shared else None

        def sketch(sh):
            m = EquivMinHash(np, num_perm, perms)
            m.update_batch(sh)
            return m

    dropped_out = open(opt['--dropped'], 'w') if opt['--dropped'] else None
    t0 = time.perf_counter()
    nrec = nbytes = ndrop = 0
    src = sys.stdin.buffer if inputs[0] == '-' else open(inputs[0], 'rb')
    with src:
        for line in src:
            if limit and nrec >= limit:
                break
            nbytes += len(line)
            text = json.loads(line).get(field) or ''
            m = sketch(shingles(text, n))
            cands = lsh.query(m)
            if cands:
                ndrop += 1
                if dropped_out:
                    dropped_out.write(f'{{"index":{nrec},"reason":"near",'
                                      f'"duplicate_of":{min(cands)}}}\n')
            else:
                lsh.insert(nrec, m)
            nrec += 1
    secs = time.perf_counter() - t0
    if dropped_out:
        dropped_out.close()
    stats = {
        'engine': engine, 'records': nrec, 'kept': nrec - ndrop, 'dropped': ndrop,
        'bytes': nbytes, 'seconds': round(secs, 3),
        'records_per_s': round(nrec / secs) if secs > 0 else 0,
        'mb_per_s': round(nbytes / 1e6 / secs, 3) if secs > 0 else 0,
        'peak_rss_bytes': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
        'params': {'threshold': threshold, 'ngram': n, 'num_perm': num_perm,
                   'bands': bands, 'rows': rows, 'shared_permutations': shared},
    }
    if opt['--stats']:
        with open(opt['--stats'], 'w') as f:
            json.dump(stats, f)
            f.write('\n')
    else:
        print(json.dumps(stats))


if __name__ == '__main__':
    main()
