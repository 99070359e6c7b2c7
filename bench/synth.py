#!/usr/bin/env python3
"""Deterministic synthetic corpus for bench/run.sh: pseudo-word records of ~450 bytes of text
with planted exact and near-duplicate copies. No third-party text: the words are made of
syllables drawn by a seeded generator.

usage: synth.py OUT.jsonl [--records N] [--seed S] [--mean-bytes B]
                [--near P] [--exact P]

- vocabulary: 30,000 pseudo-words of 1-4 syllables (fewer for frequent words), drawn with
  Zipf(1) frequencies;
- a record: sentences of 6-18 words (capitalised, ending in a full stop, commas here and
  there) until the text reaches a length drawn uniformly from [0.75 B, 1.25 B] bytes
  (B = --mean-bytes, default 450); a JSONL line is the text plus 12 bytes;
- with probability --near (default 0.10) a record is instead a copy of an earlier original
  with 1-6 word edits (substitute, delete or insert a word), so its word 5-gram Jaccard with
  the original spreads from 1 down to about 0.5; with probability --exact (default 0.02) it
  is a byte-identical copy. The rest are originals.
Output is the same for the same arguments on any CPython 3 (random.Random is seeded and
only random() is used). Prints a one-line summary to stderr.
"""
import random
import sys

ONSETS = ['', 'b', 'c', 'd', 'f', 'g', 'h', 'j', 'k', 'l', 'm', 'n', 'p', 'r', 's', 't', 'v',
          'w', 'z', 'br', 'ch', 'cl', 'dr', 'fl', 'gr', 'pl', 'pr', 'sh', 'st', 'th', 'tr']
VOWELS = ['a', 'e', 'i', 'o', 'u', 'ai', 'ea', 'io', 'ou', 'y']
CODAS = ['', '', '', 'n', 'r', 's', 't', 'l', 'm', 'nd', 'st', 'ck']


def main():
    args = sys.argv[1:]
    if not args or args[0].startswith('-'):
        print(__doc__.split('\n\n')[1], file=sys.stderr)
        sys.exit(2)
    out = args[0]
    opt = dict(zip(args[1::2], args[2::2]))
    known = {'--records', '--seed', '--mean-bytes', '--near', '--exact'}
    bad = [k for k in opt if k not in known] or (['(odd argument count)'] if len(args[1:]) % 2 else [])
    if bad:
        print(f'synth.py: unknown option {bad[0]}', file=sys.stderr)
        sys.exit(2)
    nrec = int(opt.get('--records', 200000))
    seed = int(opt.get('--seed', 1))
    mean = int(opt.get('--mean-bytes', 450))
    p_near = float(opt.get('--near', 0.10))
    p_exact = float(opt.get('--exact', 0.02))

    rng = random.Random(seed)
    rnd = rng.random

    def pick(seq):
        return seq[int(rnd() * len(seq))]

    vocab, seen = [], set()
    while len(vocab) < 30000:
        # frequent words are short, as in natural language: 1 syllable for the top 100,
        # 1-2 up to rank 3000, 2-4 after that
        rank = len(vocab)
        nsyl = 1 if rank < 100 else 1 + int(rnd() * 2) if rank < 3000 else 2 + int(rnd() * 3)
        w = ''.join(pick(ONSETS) + pick(VOWELS) for _ in range(nsyl)) + pick(CODAS)
        if len(w) > 1 and w not in seen:
            seen.add(w)
            vocab.append(w)
    # Zipf(1) by table lookup: rank r fills about 2^20 / (r * H) slots (at least one)
    harmonic = sum(1.0 / r for r in range(1, len(vocab) + 1))
    table = []
    for r, w in enumerate(vocab, 1):
        table.extend([w] * max(1, round((1 << 20) / (r * harmonic))))
    tsize = len(table)

    def sentence_words(k):
        return [table[int(rnd() * tsize)] for _ in range(k)]

    def render(words, cuts):
        """words -> text with sentence breaks after the indices in cuts."""
        parts, start = [], 0
        for end in cuts + [len(words)]:
            s = words[start:end]
            if s:
                s = s[:]
                s[0] = s[0].capitalize()
                if len(s) > 8:
                    s[len(s) // 2] += ','
                parts.append(' '.join(s) + '.')
            start = end
        return ' '.join(parts)

    originals = []   # (words, cuts, text)
    stats = {'original': 0, 'near': 0, 'exact': 0}
    nbytes = 0
    with open(out, 'w', encoding='ascii', newline='\n') as f:
        for _ in range(nrec):
            r = rnd()
            if originals and r < p_exact:
                text = pick(originals)[2]
                stats['exact'] += 1
            elif originals and r < p_exact + p_near:
                words, cuts, _t = pick(originals)
                words = list(words)
                for _e in range(1 + int(rnd() * 6)):
                    i = int(rnd() * len(words))
                    op = rnd()
                    if op < 0.5:
                        words[i] = sentence_words(1)[0]
                    elif op < 0.75 and len(words) > 10:
                        del words[i]
                    else:
                        words.insert(i, sentence_words(1)[0])
                cuts = [c for c in cuts if c < len(words)]
                text = render(words, cuts)
                stats['near'] += 1
            else:
                target = mean * (0.75 + 0.5 * rnd())
                pool = sentence_words(int(target / 5))
                end, cuts, length = 0, [], 0
                while end < len(pool):
                    k = min(6 + int(rnd() * 13), len(pool) - end)
                    slen = sum(map(len, pool[end:end + k])) + k + 1
                    if cuts and abs(length + slen - target) >= abs(length - target):
                        break   # the text ends nearest to its target length
                    end += k
                    cuts.append(end)
                    length += slen
                words = pool[:end]
                cuts.pop()
                text = render(words, cuts)
                originals.append((words, cuts, text))
                stats['original'] += 1
            line = '{"text": "' + text + '"}\n'   # letters, blanks, commas, full stops only
            nbytes += len(line)
            f.write(line)
    print(f'synth.py: {nrec} records, {nbytes} bytes ({nbytes / max(nrec, 1):.0f} per line): '
          f'{stats["original"]} originals, {stats["near"]} near copies, {stats["exact"]} exact '
          f'copies', file=sys.stderr)


if __name__ == '__main__':
    main()
