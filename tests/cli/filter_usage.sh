# chaff filter: bad presets, thresholds, rules and phrase files are refused with exit 2 and a
# message that says what and where; nothing is written
printf '{"text":"a b c"}\n' > in.jsonl
$CHAFF filter in.jsonl; echo "exit=$?"
$CHAFF filter --filter gopher,nonsense in.jsonl; echo "exit=$?"
$CHAFF filter --filter decontam in.jsonl; echo "exit=$?"
$CHAFF filter --filter gopher --set gopher.min_doc_words in.jsonl; echo "exit=$?"
$CHAFF filter --filter gopher --set gopher.no_such=1 in.jsonl; echo "exit=$?"
$CHAFF filter --filter gopher --set gopher.min_doc_words=many in.jsonl; echo "exit=$?"
$CHAFF filter --filter gopher --set gopher.min_doc_words=2.5 in.jsonl; echo "exit=$?"
$CHAFF filter --filter gopher --set gopher.max_bullet_lines_ratio=1.5 in.jsonl; echo "exit=$?"
$CHAFF filter --filter gopher --set c4.min_num_sentences=3 in.jsonl; echo "exit=$?"
$CHAFF filter --filter gopher --set 'gopher.min_doc_words= ' in.jsonl; echo "exit=$?"
$CHAFF filter --filter gopher --set gopher.min_doc_words=0x10 in.jsonl; echo "exit=$?"
$CHAFF filter --filter gopher --set gopher.max_bullet_lines_ratio=nan in.jsonl; echo "exit=$?"
$CHAFF filter --filter '' in.jsonl; echo "exit=$?"
$CHAFF filter --filter c4 --rewrite --kept k.txt in.jsonl; echo "exit=$?"
printf 'filter = gopher\ngopher.min_doc_words = 20\ngopher.min_doc_words 30\n' > bad.rules
$CHAFF filter --rules bad.rules in.jsonl; echo "exit=$?"
printf 'filter = gopher, fineweb\nfineweb.short_line_thr = -1\n' > range.rules
$CHAFF filter --rules range.rules in.jsonl; echo "exit=$?"
$CHAFF filter --rules missing.rules in.jsonl; echo "exit=$?"
echo "--- rules: a byte order mark, thresholds before their preset, long comments"
{ printf '\357\273\277gopher.min_doc_words = 2  # before the filter line\n'
  printf '# %02000d\n' 0
  printf 'filter = gopher\n'; } > ok.rules
$CHAFF filter -q --rules ok.rules --filter c4 in.jsonl --stats - --kept /dev/null | grep -o '"presets":"[a-z0-9,]*","gopher.min_doc_words":[0-9]*'; echo "exit=$?"
printf 'gopher.min_doc_words = %02000d\n' 7 > long.rules
$CHAFF filter --rules long.rules in.jsonl; echo "exit=$?"
$CHAFF filter --filter gopher --phrases missing.txt in.jsonl; echo "exit=$?"
printf 'as an (AI|robot\n' > bad.phrases
$CHAFF filter --filter synthetic --phrases bad.phrases in.jsonl; echo "exit=$?"
$CHAFF filter --filter gopher --phrases bad.phrases in.jsonl; echo "exit=$?"
$CHAFF filter --filter gopher --threshold 0.5 in.jsonl; echo "exit=$?"
$CHAFF filter --filter gopher --decontam-n 0 in.jsonl; echo "exit=$?"
$CHAFF filter --filter gopher; echo "exit=$?"
$CHAFF dedup --set gopher.min_doc_words=3 in.jsonl; echo "exit=$?"
$CHAFF filter --filter c4 --rewrite --format text -o out.jsonl in.jsonl; echo "exit=$?"
printf 'a b c\n' > in.txt
$CHAFF filter --filter c4 --rewrite -o out.jsonl in.txt; echo "exit=$?"
echo "--- --list and --help"
$CHAFF filter --list > list.txt; echo "exit=$?"
grep -c ' drops as ' list.txt
grep -E '^[a-z0-9]+:' list.txt | cut -d: -f1
$CHAFF filter --help | head -3; echo "exit=$?"
ls -A
