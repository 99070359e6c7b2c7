# --method oph finds the same planted duplicates as minhash here; every drop is verified (>= T)
awk 'BEGIN { srand(5); for (i = 0; i < 2000; i++) { printf "{\"text\":\""; n = 30 + int(rand() * 60);
  for (j = 0; j < n; j++) printf "w%d ", int(rand() * 5000); printf "\"}\n" } }' > base.jsonl
awk '{ print } NR % 5 == 0 { sub(/ w/, " x"); print }' base.jsonl > in.jsonl
for m in minhash oph; do
  $CHAFF dedup -q in.jsonl --method $m --dropped d_$m.jsonl --stats s_$m.json; echo "$m exit=$?"
  echo "$m dropped: $(wc -l < d_$m.jsonl)"
  awk -F'"similarity":' '{ split($2, a, "}"); if (a[1] + 0 < 0.8) bad++ } END { print "below threshold: " bad + 0 }' d_$m.jsonl
  grep -o '"method":"[a-z]*"' s_$m.json
done
cmp d_minhash.jsonl d_oph.jsonl && echo "same drops"
$CHAFF dedup -q in.jsonl --method lsh; echo "exit=$?"
