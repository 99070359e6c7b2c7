# chaff bench: generate, check the planted truth (always done below 5000 records), check
# every path against scalar, time, score; only the deterministic figures are printed
$CHAFF bench --records 3000 --json --repeat 1 --simd scalar --threads 1 -q > out.json
echo "exit=$?"
tr ',{}[]' '\n\n\n\n\n' < out.json | grep . |
  grep -v -E '^"(version|seconds|records_per_s|mb_per_s|peak_rss_bytes)"'
echo "--- every path this CPU has, 1 and 2 threads, must agree with scalar"
$CHAFF bench --records 3000 --repeat 1 --threads 2 -q > table.txt
echo "exit=$?"
grep -c '^scalar  *1 ' table.txt
echo "--- the table"
$CHAFF bench --records 500 --repeat 2 --simd scalar --threads 1 --seed 7 > table.txt
echo "exit=$?"
sed -E -e 's/^(scalar +1) +[0-9]+ +[0-9.]+ +[0-9.]+/\1 R M S/' -e 's/peak RSS [0-9.]+ MB/peak RSS P MB/' table.txt
echo "--- one record"
$CHAFF bench --records 1 --repeat 1 --simd scalar --threads 1 --json > one.json
echo "exit=$?"
sed -E 's/"(seconds|records_per_s|mb_per_s|peak_rss_bytes)":[0-9.]+/"\1":X/g' one.json
echo "--- bad command lines"
$CHAFF bench --records 0; echo "exit=$?"
$CHAFF bench --records 100000001; echo "exit=$?"
$CHAFF bench --records abc; echo "exit=$?"
$CHAFF bench --records -5; echo "exit=$?"
$CHAFF bench --records; echo "exit=$?"
$CHAFF bench --threshold 1.5; echo "exit=$?"
$CHAFF bench --threshold=0; echo "exit=$?"
$CHAFF bench --threshold x; echo "exit=$?"
$CHAFF bench --threshold 0.1; echo "exit=$?"
$CHAFF bench --threads 0; echo "exit=$?"
$CHAFF bench --threads 1025; echo "exit=$?"
$CHAFF bench --repeat 0; echo "exit=$?"
$CHAFF bench --repeat 2x; echo "exit=$?"
$CHAFF bench --seed 18446744073709551616; echo "exit=$?"
$CHAFF bench --simd mmx; echo "exit=$?"
$CHAFF bench --method lsh; echo "exit=$?"
$CHAFF bench --method oph --records 500 --repeat 1 --simd scalar --threads 1 --json | grep -o "\"method\":\"oph\""; echo "exit=$?"
$CHAFF bench --bogus; echo "exit=$?"
$CHAFF bench in.jsonl; echo "exit=$?"
$CHAFF bench --help | head -1; echo "exit=$?"
ls -A
