# every SIMD path this CPU has, and any thread count, give byte-identical outputs
awk 'BEGIN { srand(3); for (i = 0; i < 3000; i++) { printf "{\"text\":\""; n = 20 + int(rand() * 60);
  for (j = 0; j < n; j++) printf "w%d ", int(rand() * 400); printf "\"}\n" } }' > in.jsonl
awk 'NR % 7 == 0 { sub(/w1 /, "w2 "); } { print }' in.jsonl >> in.jsonl.tmp; cat in.jsonl.tmp >> in.jsonl
$CHAFF dedup -q in.jsonl --simd scalar --threads 1 --dropped ref.jsonl --kept ref.txt; echo "scalar exit=$?"
echo "dropped: $(wc -l < ref.jsonl)"
same=yes
for s in auto scalar sse4.1 avx2 avx512 neon; do
  for t in 1 2 5; do
    $CHAFF dedup -q in.jsonl --simd $s --threads $t --dropped d.jsonl --kept k.txt 2>/dev/null || continue
    cmp -s d.jsonl ref.jsonl && cmp -s k.txt ref.txt || { same=no; echo "differs: --simd $s --threads $t"; }
  done
done
echo "all identical: $same"
CHAFF_SIMD=scalar $CHAFF dedup -q in.jsonl --dropped e.jsonl; cmp e.jsonl ref.jsonl && echo "CHAFF_SIMD=scalar identical"
$CHAFF dedup -q in.jsonl --simd mmx; echo "exit=$?"
