#!/bin/sh
# scripts/make-corpus.sh - build the real-text accuracy corpus from Debian-packaged documentation.
#
# usage: scripts/make-corpus.sh OUT.jsonl [MAXRECORDS]
#
# tests/test_quality.c measures chaff's near-duplicate recall and precision against an exact
# oracle, and synthetic text says little about that: real documentation repeats itself the way
# real datasets do (license boilerplate with one word changed, the same paragraph in related
# man pages, a quotation filed under two fortune topics). We may not commit that text, so this
# script rebuilds it at test time from packages that scripts/install-deps.sh pins, the same on
# every fresh Debian 12 machine, read in the order of $pkgs below:
#   base-files           /usr/share/common-licenses/* (GPL-2 and LGPL-2.1, GFDL-1.2 and 1.3...)
#   each package         its /usr/share/doc/PKG/copyright
#   manpages(-dev)       the Linux man pages, roff stripped crudely (.so redirects skipped)
#   perl-doc             Perl's pod (67 perlNNNdelta sharing boilerplate); not its man1
#                        pages, which are the same pod rendered again
#   fortunes(-min)       one record per fortune
# Each package's files come from dpkg -L (never from whatever else is installed), in byte
# order of their paths. A document becomes paragraphs (a paragraph over 2000 bytes is cut at
# line ends), merged in order until a record has at least 200 bytes: about 56K records, most
# of 200-1000 bytes, fortunes shorter. MAXRECORDS (0 = all) keeps a prefix of that sequence.
# With --docs, a record is a whole document instead (a document over 12000 bytes becomes
# pieces of whole paragraphs; fortunes go in runs of 6, and every 20th also alone), and
# every 9th document also yields one degenerate variant (repeated lines, bullet lists,
# ellipses, hashes, lorem ipsum, braces, unpunctuated lines, n-gram loops, truncation):
# about 11K records for checking the quality filters (tests/test_filter_agreement.c).
# Output: one {"text": ...} JSON object per line, written beside OUT and renamed into place,
# so a failed run never leaves a half corpus.
# Only sh and the python3 standard library are used.
set -eu

mode=chunks
if [ "${1:-}" = "--docs" ]; then
    mode=docs
    shift
fi
if [ $# -lt 1 ] || [ $# -gt 2 ]; then
    echo "usage: $0 [--docs] OUT.jsonl [MAXRECORDS]" >&2
    exit 2
fi
out=$1
max=${2:-0}
case $max in
    ''|*[!0-9]*) echo "make-corpus.sh: MAXRECORDS must be a number, not '$max'" >&2; exit 2 ;;
esac

pkgs="base-files manpages manpages-dev perl-doc fortunes-min fortunes"
missing=""
for p in $pkgs; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" \
        || missing="$missing $p"
done
if [ -n "$missing" ]; then
    echo "make-corpus.sh: missing packages:$missing (run scripts/install-deps.sh)" >&2
    exit 1
fi

tmp="$out.tmp.$$"
trap 'rm -f "$tmp"' EXIT INT TERM
# shellcheck disable=SC2086
LC_ALL=C python3 - "$tmp" "$max" "$mode" $pkgs <<'EOF'
import gzip, json, os, re, subprocess, sys

out_path, max_records, mode, pkgs = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4:]
MIN_BYTES = 200
MAX_BYTES = 2000

def files_of(pkg):
    """The regular files dpkg says pkg installed, in byte order of their paths."""
    listed = subprocess.run(['dpkg', '-L', pkg], check=True, capture_output=True).stdout
    paths = sorted(set(p for p in listed.decode('utf-8', 'replace').split('\n')
                       if p.startswith('/')))
    gone = [p for p in paths if not os.path.lexists(p)]
    if gone:
        # a slim image's dpkg path-exclude (/etc/dpkg/dpkg.cfg.d) drops man pages and docs
        sys.exit(f'make-corpus.sh: {len(gone)} files of {pkg} are missing, e.g. {gone[0]}; '
                 f'is /usr/share/man or /usr/share/doc excluded from dpkg installs?')
    return [p for p in paths if os.path.isfile(p) and not os.path.islink(p)]

def read_text(path):
    with open(path, 'rb') as f:
        data = f.read()
    if data[:2] == b'\x1f\x8b':
        data = gzip.decompress(data)
    return data.decode('utf-8', 'replace')

# --- plain text: paragraphs are separated by blank lines ---------------------------------
def plain_paragraphs(text):
    paras = [p.strip('\n') for p in re.split(r'\n[ \t\f]*\n', text)]
    return [p for p in paras if p.strip()]

# --- roff (man pages) --------------------------------------------------------------------
GLYPHS = {'em': '\u2014', 'en': '\u2013', 'aq': "'", 'dq': '"', 'bu': '\u2022', 'co': '\u00a9',
          'rs': '\\', 'lq': '\u201c', 'rq': '\u201d', 'oq': '\u2018', 'cq': '\u2019',
          'mu': '\u00d7', 'ti': '~', 'ha': '^', 'at': '@', 'sh': '#', 'Do': '$', 'rg': '\u00ae',
          '+-': '\u00b1', '->': '\u2192', '<-': '\u2190', 'de': '\u00b0', 'hy': '-',
          'tm': '\u2122', 'lt': '<', 'gt': '>', 'pl': '+', 'eq': '=', 'or': '|'}
ESCAPE = re.compile(r"\\(?:f(?:\[[^]]*\]|\(..|.)|\(..|\[[^]]*\]|\*(?:\[[^]]*\]|\(..|.)"
                    r"|s[-+]?\d|[-e&~ :|^c%0'`]|.)")

def roff_escape(m):
    s = m.group(0)
    if s[1] in '(' :
        return GLYPHS.get(s[2:4], '')
    if s[1] == '[':
        return GLYPHS.get(s[2:-1], '')
    return {'\\-': '-', '\\e': '\\', '\\ ': ' ', '\\~': ' ', '\\0': ' ', "\\'": "'",
            '\\`': '`', '\\.': '.', '\\\\': '\\'}.get(s, '')

def roff_args(args):
    """Split a request's arguments the way roff does: blanks separate, quotes group."""
    return [a[1:-1].replace('""', '"') if a.startswith('"') else a
            for a in re.findall(r'"(?:[^"]|"")*"?|\S+', args)]

def roff_paragraphs(text):
    paras, cur = [], []
    in_table = table_fmt = False
    def flush():
        if cur:
            p = ESCAPE.sub(roff_escape, '\n'.join(cur)).strip()
            if p.strip():
                paras.append(p)
            cur.clear()
    for line in text.split('\n'):
        if line.startswith(('.\\"', "'\\\"", '\\"')) or line in ('.', "'"):
            continue
        if in_table:
            if line.startswith('.TE'):
                in_table = False
                flush()
            elif table_fmt:
                table_fmt = not line.rstrip().endswith('.')
            else:
                cur.append(re.sub(r'T[{}]', '', line).replace('\t', ' '))
            continue
        if line.startswith(('.', "'")):
            m = re.match(r"[.']\s*(\S+)\s*(.*)", line)
            req, args = (m.group(1), m.group(2)) if m else ('', '')
            if req in ('SH', 'SS'):
                flush()
                cur.append(' '.join(roff_args(args)))
            elif req in ('PP', 'P', 'LP', 'TP', 'HP', 'sp', 'TQ'):
                flush()
            elif req == 'IP':
                flush()
                cur.extend(roff_args(args)[:1])
            elif req in ('B', 'I', 'SM', 'SB'):
                cur.append(' '.join(roff_args(args)))
            elif req in ('BR', 'BI', 'IB', 'IR', 'RB', 'RI'):
                cur.append(''.join(roff_args(args)))
            elif req == 'TS':
                flush()
                in_table = table_fmt = True
            # everything else (TH, nf, fi, RS, RE, in, ad, UR, ...) carries no text we keep
        else:
            cur.append(line)
    flush()
    return paras

# --- pod (Perl documentation) ------------------------------------------------------------
POD_ENTITY = {'lt': '<', 'gt': '>', 'verbar': '|', 'sol': '/', 'quot': '"', 'amp': '&'}

def pod_code(m):
    code, body = m.group(1), m.group(2)
    if code in 'XZ':
        return ''
    if code == 'E':
        if body.isdigit():
            return chr(int(body))
        if body[:2] in ('0x', '0X'):
            return chr(int(body[2:], 16))
        return POD_ENTITY.get(body, body)
    if code == 'L':
        return body.split('|', 1)[0] if '|' in body else body.replace('/"', ' ').strip('"')
    return body

def pod_strip(p):
    for _ in range(8):
        q = re.sub(r'([A-Z])<<+\s(.*?)\s>>+', pod_code, p, flags=re.S)
        q = re.sub(r'([A-Z])<([^<>]*)>', pod_code, q)
        if q == p:
            break
        p = q
    return p

def pod_paragraphs(text):
    paras, skip_until = [], None
    for p in re.split(r'\n[ \t]*\n', text):
        p = p.strip('\n')
        if not p.strip():
            continue
        if skip_until:
            if p.startswith('=end'):
                skip_until = None
            continue
        if p.startswith('='):
            cmd, _, rest = p.partition(' ')
            cmd = cmd.split('\n')[0]
            if cmd.startswith('=head') or cmd == '=item':
                paras.append(pod_strip(rest.strip()))
            elif cmd == '=begin':
                skip_until = '=end'
            continue
        paras.append(p if p[0] in ' \t' else pod_strip(p))
    return paras

# --- fortunes: records separated by a line holding only '%' -------------------------------
def fortune_records(text):
    text = re.sub(r'.\x08', '', text)
    return [f.strip('\n') for f in re.split(r'(?m)^%\n', text) if f.strip()]

# --- paragraphs -> records ---------------------------------------------------------------
def split_long(p):
    """A paragraph over MAX_BYTES (a table, a long list) becomes runs of whole lines."""
    if len(p.encode()) <= MAX_BYTES:
        yield p
        return
    cur, size = [], 0
    for line in p.split('\n'):
        cur.append(line)
        size += len(line.encode()) + 1
        if size >= MAX_BYTES // 2:
            yield '\n'.join(cur)
            cur, size = [], 0
    if cur:
        yield '\n'.join(cur)

def chunk(paras):
    """Merge consecutive paragraphs of a document until a record has MIN_BYTES. A short
    section (a man page's LIBRARY or STANDARDS) joins the next one instead of becoming a
    record of its own: hundreds of identical five-word records would swamp the pair counts."""
    cur = []
    for p in (q for para in paras for q in split_long(para)):
        cur.append(p)
        if len('\n\n'.join(cur).encode()) >= MIN_BYTES:
            yield '\n\n'.join(cur)
            cur = []
    if cur:
        yield '\n\n'.join(cur)

def records():
    for pkg in pkgs:
        for path in files_of(pkg):
            if re.fullmatch(r'/usr/share/doc/[^/]+/copyright', path) or \
                    path.startswith('/usr/share/common-licenses/'):
                yield from chunk(plain_paragraphs(read_text(path)))
            elif pkg.startswith('manpages') and \
                    re.fullmatch(r'/usr/share/man/man[^/]*/[^/]+\.gz', path):
                # not perl-doc's man1/perl*.1: pod2man renderings of the .pod files
                text = read_text(path)
                if re.match(r'\.so\s', text):
                    continue  # a one-line redirect to another page
                yield from chunk(roff_paragraphs(text))
            elif path.endswith('.pod'):
                yield from chunk(pod_paragraphs(read_text(path)))
            elif path.startswith('/usr/share/games/fortunes/') and \
                    not path.endswith(('.dat', '.u8')):
                yield from fortune_records(read_text(path))

# --- whole documents (--docs) --------------------------------------------------------------
DOC_MAX = 12000

def pieces(paras):
    """A document as one record, or runs of whole paragraphs of at most DOC_MAX bytes."""
    cur, size = [], 0
    for p in paras:
        n = len(p.encode()) + 2
        if cur and size + n > DOC_MAX:
            yield '\n\n'.join(cur)
            cur, size = [], 0
        cur.append(p)
        size += n
    if cur:
        yield '\n\n'.join(cur)

LOREM = 'Lorem ipsum dolor sit amet, consectetur adipiscing elit.'

def variant(doc, k):
    """One degenerate copy of doc, the kind chosen by k: what the filters exist to catch."""
    lines = [l for l in doc.split('\n') if l.strip()] or [doc]
    words = doc.split()
    kind = k % 10
    if kind == 0:    # a line repeated: duplicate lines and paragraphs
        return '\n'.join(lines[:3] + [lines[0]] * 8 + lines[3:6])
    if kind == 1:    # a bulleted list
        return '\n'.join(('- ' if i % 5 else '\u2022 ') + l.strip() for i, l in enumerate(lines[:40]))
    if kind == 2:    # lines ending in ellipses
        return '\n'.join(l.rstrip() + ('...' if i % 2 else '\u2026') for i, l in enumerate(lines[:30]))
    if kind == 3:    # hash tags
        return ' '.join(w if i % 6 else '#' + w for i, w in enumerate(words[:400]))
    if kind == 4:    # lorem ipsum in a punctuated line
        return doc + '\n' + LOREM + ' ' + LOREM + '\n'
    if kind == 5:    # a curly brace in a line that C4 keeps
        return doc + '\nThe block {like this one} is kept as it is written here.\n'
    if kind == 6:    # no terminal punctuation anywhere
        return '\n'.join(l.rstrip('.!?"\' ') for l in lines[:60])
    if kind == 7:    # an n-gram loop
        return ' '.join((words[:12] or ['loop']) * 30)
    if kind == 8:    # short list-like lines
        return '\n'.join(' '.join(l.split()[:3]) for l in lines[:80])
    return ' '.join(words[:40])  # truncated to a short document

def documents():
    for pkg in pkgs:
        for path in files_of(pkg):
            if re.fullmatch(r'/usr/share/doc/[^/]+/copyright', path) or \
                    path.startswith('/usr/share/common-licenses/'):
                yield from pieces(plain_paragraphs(read_text(path)))
            elif pkg.startswith('manpages') and \
                    re.fullmatch(r'/usr/share/man/man[^/]*/[^/]+\.gz', path):
                text = read_text(path)
                if not re.match(r'\.so\s', text):
                    yield from pieces(roff_paragraphs(text))
            elif path.endswith('.pod'):
                yield from pieces(pod_paragraphs(read_text(path)))
            elif path.startswith('/usr/share/games/fortunes/') and \
                    not path.endswith(('.dat', '.u8')):
                fs = fortune_records(read_text(path))
                for i in range(0, len(fs), 6):
                    yield '\n\n'.join(fs[i:i + 6])
                yield from fs[::20]

def doc_records():
    for i, doc in enumerate(documents()):
        yield doc
        if i % 9 == 4:
            yield variant(doc, i // 9)

if mode == 'docs':
    records = doc_records

count = 0
with open(out_path, 'w', encoding='utf-8', newline='\n') as out:
    for text in records():
        if max_records and count >= max_records:
            break
        out.write(json.dumps({'text': text}, ensure_ascii=False) + '\n')
        count += 1
EOF
mv "$tmp" "$out"
trap - EXIT INT TERM
