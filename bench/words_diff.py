#!/usr/bin/python3
"""bench/words_diff.py - compare chaff's words/sentences (core/words.c) with NLTK's.

The reference filters count NLTK 3.8 word_tokenize words (Treebank inside untrained
Punkt sentences) and Punkt sentences, each list passed through datatrove's
strip_strings. This runs NLTK on every record of a JSONL file, runs
bench/words_dump.c (built against libchaff) on the same UTF-8 bytes, and reports
the share of records whose token lists and sentence lists are identical, plus
examples of the differences.

usage: /usr/bin/python3 bench/words_diff.py CORPUS.jsonl [--dump /tmp/words_dump]
           [--field text] [--limit N] [--show K] [--jobs 2]
"""
import argparse
import difflib
import json
import multiprocessing
import subprocess
import sys


def nltk_init():
    global PST, TB
    from nltk.tokenize.destructive import NLTKWordTokenizer
    from nltk.tokenize.punkt import PunktSentenceTokenizer
    PST = PunktSentenceTokenizer()  # untrained: no abbreviations/collocations/starters
    TB = NLTKWordTokenizer()


def strip_strings(els):
    return [e.strip() for e in els if len(e.strip()) > 0]


def nltk_one(text):
    sents = PST.tokenize(text)
    words = [t for s in sents for t in TB.tokenize(s)]
    return strip_strings(sents), strip_strings(words)


def read_ours(out, texts):
    pos = 0
    res = []
    for raw in texts:
        nl = out.index(b'\n', pos)
        ns, nw = map(int, out[pos:nl].split())
        pos = nl + 1
        sents = []
        for _ in range(ns):
            nl = out.index(b'\n', pos)
            off, ln = map(int, out[pos:nl].split())
            pos = nl + 1
            sents.append(raw[off:off + ln].decode('utf-8', 'surrogateescape'))
        words, cps = [], []
        for _ in range(nw):
            nl = out.index(b'\n', pos)
            ln, cp = map(int, out[pos:nl].split())
            pos = nl + 1
            words.append(out[pos:pos + ln].decode('utf-8', 'surrogateescape'))
            cps.append(cp)
            pos += ln + 1
        res.append((sents, words, cps))
    return res


def first_diff(a, b, ctx=3):
    sm = difflib.SequenceMatcher(a=a, b=b, autojunk=False)
    for tag, i1, i2, j1, j2 in sm.get_opcodes():
        if tag != 'equal':
            return (a[max(0, i1 - ctx):i2 + ctx], b[max(0, j1 - ctx):j2 + ctx])
    return None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('corpus')
    ap.add_argument('--dump', default='/tmp/words_dump')
    ap.add_argument('--field', default='text')
    ap.add_argument('--limit', type=int, default=0)
    ap.add_argument('--show', type=int, default=10)
    ap.add_argument('--jobs', type=int, default=2)
    args = ap.parse_args()

    texts = []
    with open(args.corpus, encoding='utf-8') as f:
        for line in f:
            if not line.strip():
                continue
            texts.append(json.loads(line)[args.field])
            if args.limit and len(texts) >= args.limit:
                break
    raws = [t.encode('utf-8', 'surrogatepass') for t in texts]
    inp = b''.join(b'%d\n' % len(r) + r for r in raws)
    out = subprocess.run([args.dump], input=inp, capture_output=True, check=True).stdout
    ours = read_ours(out, raws)

    with multiprocessing.Pool(args.jobs, initializer=nltk_init) as pool:
        ref = pool.map(nltk_one, texts, chunksize=64)

    n = len(texts)
    same_w = same_s = same_cps = 0
    wdiffs, sdiffs = [], []
    for i, ((rs, rw), (os_, ow, ocps)) in enumerate(zip(ref, ours)):
        if rw == ow:
            same_w += 1
        else:
            wdiffs.append((i, first_diff(rw, ow)))
        if rs == os_:
            same_s += 1
        else:
            sdiffs.append((i, first_diff(rs, os_, 1)))
        if rw == ow and [len(w) for w in rw] == ocps:
            same_cps += 1
    print(f'records: {n}')
    print(f'identical token lists:    {same_w} ({100.0 * same_w / n:.3f}%)')
    print(f'identical sentence lists: {same_s} ({100.0 * same_s / n:.3f}%)')
    print(f'identical tokens and code-point lengths: {same_cps} ({100.0 * same_cps / n:.3f}%)')
    for name, diffs in (('token', wdiffs), ('sentence', sdiffs)):
        for i, d in diffs[:args.show]:
            print(f'--- {name} diff in record {i}:')
            print('  nltk: ', d[0] if d else None)
            print('  chaff:', d[1] if d else None)


if __name__ == '__main__':
    main()
