#!/usr/bin/env python3
"""Record the reference decisions that tests/test_filter_agreement.c holds chaff to.

usage: /usr/bin/python3 scripts/filter-reference.py CORPUS.jsonl OUT.tsv

Runs ../shared/eval/filters-reference/datatrove_filters.py (HuggingFace datatrove's own Gopher,
C4 and FineWeb filter classes at their defaults; needs the Debian packages its README lists)
over CORPUS and writes, per record, a key and the decision of each preset as a chaff reason
code ("keep" when kept). The key is the FNV-1a 64-bit hash of the record's text in UTF-8, so
the test can find a record however the corpus was ordered or cut, and the repository never
holds the text itself (the corpus comes from Debian documentation at test time:
scripts/make-corpus.sh --docs).
"""
import json
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
REFERENCE = os.path.join(HERE, '..', '..', 'shared', 'eval', 'filters-reference', 'datatrove_filters.py')

# datatrove's reason -> chaff's reason code
GOPHER = {
    'gopher_short_doc': 'short_doc', 'gopher_long_doc': 'long_doc',
    'gopher_below_avg_threshold': 'below_avg_word_len', 'gopher_above_avg_threshold': 'above_avg_word_len',
    'gopher_too_many_hashes': 'too_many_hashes', 'gopher_too_many_ellipsis': 'too_many_ellipsis',
    'gopher_too_many_bullets': 'too_many_bullets', 'gopher_too_many_end_ellipsis': 'too_many_end_ellipsis',
    'gopher_below_alpha_threshold': 'below_alpha_ratio', 'gopher_enough_stop_words': 'few_stop_words',
    'dup_para_frac': 'dup_para_frac', 'dup_para_char_frac': 'dup_para_char_frac',
    'dup_line_frac': 'dup_line_frac', 'dup_line_char_frac': 'dup_line_char_frac',
}
for n in (2, 3, 4):
    GOPHER[f'top_{n}_gram'] = f'top_{n}_gram'
for n in range(5, 11):
    GOPHER[f'duplicated_{n}_n_grams'] = f'dup_{n}_gram'


def code(preset, reason):
    if reason == 'keep':
        return 'keep'
    if preset == 'gopher':
        return 'gopher.' + GOPHER[reason]
    return f'{preset}.{reason}'


def fnv1a64(data):
    h = 0xcbf29ce484222325
    for b in data:
        h = ((h ^ b) * 0x100000001b3) & 0xFFFFFFFFFFFFFFFF
    return h


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    corpus, out = sys.argv[1], sys.argv[2]
    with tempfile.TemporaryDirectory() as tmp:
        tsv = os.path.join(tmp, 'decisions.tsv')
        subprocess.run(['/usr/bin/python3', REFERENCE, corpus, tsv, '--jobs', '2'], check=True)
        with open(tsv, encoding='utf-8') as f:
            meta = json.loads(f.readline()[len('#meta '):])
            header = f.readline().rstrip('\n').split('\t')
            rows = {int(r[0]): dict(zip(header[1:], r[1:]))
                    for r in (line.rstrip('\n').split('\t') for line in f)}
    keys = []
    with open(corpus, encoding='utf-8') as f:
        for i, line in enumerate(f):
            if i in rows:
                text = json.loads(line)['text']
                keys.append((i, fnv1a64(text.encode('utf-8', 'surrogatepass'))))
    with open(out + '.tmp', 'w', encoding='utf-8') as f:
        f.write('# reference decisions: %s\n' % json.dumps(
            {k: meta[k] for k in ('tokenizer', 'punkt', 'records', 'bytes', 'datatrove_fingerprint')}))
        f.write('# key\tgopher\tc4\tfineweb\n')
        for i, key in keys:
            r = rows[i]
            f.write('%016x\t%s\t%s\t%s\n' % (key, code('gopher', r['gopher']), code('c4', r['c4']),
                                             code('fineweb', r['fineweb'])))
    os.replace(out + '.tmp', out)


if __name__ == '__main__':
    main()
