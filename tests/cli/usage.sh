# bad command lines: exit 2 with a message that names the flag
printf '{"text":"a b c"}\n' > in.jsonl
$CHAFF; echo "exit=$?"
$CHAFF frobnicate; echo "exit=$?"
$CHAFF dedup; echo "exit=$?"
$CHAFF dedup --bogus in.jsonl; echo "exit=$?"
$CHAFF dedup in.jsonl --threshold; echo "exit=$?"
$CHAFF dedup in.jsonl --threshold abc; echo "exit=$?"
$CHAFF dedup in.jsonl --threshold 1.5; echo "exit=$?"
$CHAFF dedup in.jsonl --threshold 0; echo "exit=$?"
$CHAFF dedup in.jsonl --num-perm 100; echo "exit=$?"
$CHAFF dedup in.jsonl --num-perm 2000; echo "exit=$?"
$CHAFF dedup in.jsonl --ngram 0; echo "exit=$?"
$CHAFF dedup in.jsonl --ngram -3; echo "exit=$?"
$CHAFF dedup in.jsonl --bands 20 --rows 8; echo "exit=$?"
$CHAFF dedup in.jsonl --format xml; echo "exit=$?"
$CHAFF dedup in.jsonl --on-error ignore; echo "exit=$?"
$CHAFF dedup in.jsonl --shingle chars:x; echo "exit=$?"
$CHAFF dedup in.jsonl --seed 18446744073709551616; echo "exit=$?"
$CHAFF dedup in.jsonl --kept - --dropped -; echo "exit=$?"
$CHAFF --version | sed 's/[0-9][0-9.]*/V/'; echo "exit=$?"
$CHAFF dedup --help | head -3; echo "exit=$?"
$CHAFF dedup --help | grep -c -e '--threshold' -e '--kept' -e '--dropped' -e '--on-error' -e 'Exit status'
ls -A
