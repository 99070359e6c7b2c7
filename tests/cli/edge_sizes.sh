# empty input, records without words, and a single 64 MiB line
: > empty.jsonl
$CHAFF dedup empty.jsonl --kept k.txt --dropped d.jsonl -o o.jsonl 2>&1 | sed 's/in [0-9.]* s.*/in T/'
echo "sizes: $(wc -c < k.txt) $(wc -c < d.jsonl) $(wc -c < o.jsonl)"
printf '%s\n' '{"text":""}' '{"text":""}' '{"text":"!!! ???"}' '{"text":"... ---"}' > nowords.jsonl
$CHAFF dedup -q nowords.jsonl --kept -; echo "exit=$?"
awk 'BEGIN { printf "{\"text\":\""; for (i = 0; i < 1398102; i++) printf "word%07d %s ", i, "lorem ipsum dolor sit amet consectetur"; printf "\"}\n" }' > big.jsonl
awk 'BEGIN { printf "{\"text\":\""; for (i = 0; i < 1398102; i++) printf "word%07d %s ", i, "lorem ipsum dolor sit amet consectetur"; printf "tail\"}\n" }' >> big.jsonl
echo "line bytes: $(head -1 big.jsonl | wc -c)"
$CHAFF dedup -q big.jsonl --dropped -; echo "exit=$?"
