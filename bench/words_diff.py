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
       /usr/bin/python3 bench/words_diff.py --synthetic N [--seed S] ...
The synthetic mode draws N short texts from pieces chosen to hit the rules' edges
(quotes of every kind, periods and ellipses, clitics, the contraction words,
brackets, Unicode spaces, letters and digits, invalid UTF-8 is not among them:
Python cannot hold it) and compares those instead.
"""
import argparse
import random
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


PIECES = ([' '] * 12 + ['  ', '\n', '\n\n', '\t', '\u00a0', '\u2003', '\x1c', '\u3000'] +
          ['.'] * 6 + ['..', '...', '. . .', '?', '!', '!!', '?!', ',', ':', ';', '-', '--', '---',
           '"', "'", "''", '`', '``', '```', '(', ')', '[', ']', '{', '}', '<', '>', '*',
           '@', '#', '$', '%', '&', '/', '_', '\u201c', '\u201d', '\u2018', '\u2019',
           '\u00ab', '\u00bb', '\u201e', '\u2026', '\u2014'] +
          ['word', 'Word', 'WORD', 'a', 'A', 'I', 'x', 'J', 'e.g', 'U.S', 'Mr', 'no', 'don',
           "n't", "N'T", "'s", "'S", "'m", "'d", "'ll", "'LL", "'re", "'ve", "'VE", "'t", 'can',
           'cannot', 'Cannot', 'gonna', 'gimme', 'gotta', 'lemme', 'wanna', "more'n", "d'ye",
           "'tis", "'Twas", 'is', 'was', 'not', 't', 's', 'n', 'y', 'z',
           '3', '42', '3.14', '1,000', '-5', '2.', '12:30', '\u00e9t\u00e9', '\u00c9cole',
           '\u0436\u0438\u0437\u043d\u044c', '\u4e2d\u6587', '\u00b2', '\u2160', '\u0301',
           '\u00df', '\u0130', '\u017f', 'http://x.org/a?b=c', 'a@b.com'] * 2)


def synthetic(n, seed):
    rng = random.Random(seed)
    return [''.join(rng.choice(PIECES) for _ in range(rng.randint(1, 40))) for _ in range(n)]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('corpus', nargs='?')
    ap.add_argument('--synthetic', type=int, default=0)
    ap.add_argument('--seed', type=int, default=1)
    ap.add_argument('--dump', default='/tmp/words_dump')
    ap.add_argument('--field', default='text')
    ap.add_argument('--limit', type=int, default=0)
    ap.add_argument('--show', type=int, default=10)
    ap.add_argument('--jobs', type=int, default=2)
    args = ap.parse_args()

    texts = synthetic(args.synthetic, args.seed) if args.synthetic else []
    with open(args.corpus or '/dev/null', encoding='utf-8') as f:
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
            if args.synthetic:
                print('  text: ', repr(texts[i]))


if __name__ == '__main__':
    main()
