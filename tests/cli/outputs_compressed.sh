# .zst and .gz output names are compressed; decompressed they equal the plain output
for i in 1 2 3 4 5 6 7 8; do printf '{"text":"doc %s alpha beta gamma delta"}\n{"text":"DOC %s alpha beta gamma delta"}\n' $i $i; done > in.jsonl
$CHAFF dedup -q in.jsonl -o out.jsonl --dropped d.jsonl
$CHAFF dedup -q in.jsonl -o out.jsonl.zst --dropped d.jsonl.gz; echo "exit=$?"
zstd -dcq out.jsonl.zst | cmp - out.jsonl && echo "zst output matches"
gzip -dc d.jsonl.gz | cmp - d.jsonl && echo "gz dropped matches"
wc -l < out.jsonl
