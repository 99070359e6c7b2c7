# kept/dropped/-o/--stats on a small JSONL with an exact and a near duplicate
printf '%s\n' \
 '{"id":"a","text":"The quick brown fox jumps over the lazy dog near the river bank today"}' \
 '{"id":"b","text":"the QUICK brown fox, jumps over the lazy dog near the river bank today!"}' \
 '{"id":"c","text":"The quick brown fox jumps over the lazy dog near the river bank yesterday"}' \
 '{"id":7,"text":"Completely different words about storage engines and their write paths"}' > in.jsonl
$CHAFF dedup -q in.jsonl --id-field id --kept kept.txt --dropped dropped.jsonl -o out.jsonl --stats stats.json
echo "exit=$?"
echo "--- kept"; cat kept.txt
echo "--- dropped"; cat dropped.jsonl
echo "--- output"; cat out.jsonl
echo "--- stats"; sed -e 's/"seconds":[0-9.]*/"seconds":S/' -e 's/"records_per_s":[0-9]*/"records_per_s":R/' \
  -e 's/"mb_per_s":[0-9.]*/"mb_per_s":M/' -e 's/"peak_rss_bytes":[0-9]*/"peak_rss_bytes":P/' \
  -e 's/"index_bytes":[0-9]*/"index_bytes":I/' -e 's/"threads":[0-9]*/"threads":N/' \
  -e 's/"simd":"[a-z0-9.]*"/"simd":S/' stats.json
echo "--- files"; ls -A
