# zstd and gzip input detected by magic bytes, whatever the name; truncation is an error
for i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20; do
  printf '{"text":"record %s has some words in it to shingle"}\n' "$i"
  printf '{"text":"Record %s has some words in it to shingle!"}\n' "$i"
done > in.jsonl
zstd -q in.jsonl -o in.jsonl.zst
gzip -c in.jsonl > in.jsonl.gz
cp in.jsonl.zst disguised.jsonl
$CHAFF dedup -q in.jsonl --kept plain.txt
$CHAFF dedup -q in.jsonl.zst --kept zst.txt; echo "zst exit=$?"
$CHAFF dedup -q in.jsonl.gz --kept gz.txt; echo "gz exit=$?"
$CHAFF dedup -q disguised.jsonl --kept dis.txt; echo "disguised exit=$?"
cmp plain.txt zst.txt && cmp plain.txt gz.txt && cmp plain.txt dis.txt && echo "same kept: $(wc -l < plain.txt) records"
cat in.jsonl.gz in.jsonl.gz > twice.jsonl.gz
$CHAFF dedup -q twice.jsonl.gz --kept twice.txt; echo "two gzip members exit=$? kept=$(wc -l < twice.txt)"
echo "--- truncated"
echo "sizes ok: $([ $(wc -c < in.jsonl.zst) -gt 40 ] && [ $(wc -c < in.jsonl.gz) -gt 40 ] && echo yes)"
head -c $(($(wc -c < in.jsonl.zst) - 20)) in.jsonl.zst > cut.jsonl.zst
$CHAFF dedup -q cut.jsonl.zst --kept k.txt -o o.jsonl; echo "exit=$?"
head -c $(($(wc -c < in.jsonl.gz) - 20)) in.jsonl.gz > cut.jsonl.gz
$CHAFF dedup -q cut.jsonl.gz --kept k.txt -o o.jsonl; echo "exit=$?"
echo "--- corrupt"
head -c 10 in.jsonl.gz > bad.jsonl.gz; printf '\377\377\377\377GARBAGE' >> bad.jsonl.gz; tail -c +22 in.jsonl.gz >> bad.jsonl.gz
$CHAFF dedup -q bad.jsonl.gz --kept k.txt; echo "exit=$?"
echo "--- trailing garbage after a zstd frame"
cp in.jsonl.zst tail.jsonl.zst; printf 'not a frame' >> tail.jsonl.zst
$CHAFF dedup -q tail.jsonl.zst --kept k.txt; echo "exit=$?"
ls -A | grep -v '^in\.' | grep -v -e '^cut' -e '^bad' -e '^twice' -e '^disguised' -e '^tail'
