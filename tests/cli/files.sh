# unreadable inputs and unwritable outputs: exit 3, nothing left behind
printf '{"text":"a b c"}\n' > in.jsonl
$CHAFF dedup -q nope.jsonl --kept k.txt; echo "exit=$?"
mkdir adir
$CHAFF dedup -q adir --kept k.txt; echo "exit=$?"
$CHAFF dedup -q in.jsonl --kept missing-dir/k.txt; echo "exit=$?"
$CHAFF dedup -q in.jsonl nope.jsonl --kept k.txt -o o.jsonl; echo "exit=$?"
# a device is written in place (never replaced by a rename); a full disk is exit 3
if [ -c /dev/full ] && [ -w /dev/full ]; then
  $CHAFF dedup -q in.jsonl --kept /dev/full; echo "exit=$?"
  $CHAFF dedup -q in.jsonl -o - > /dev/full; echo "exit=$?"
  [ -c /dev/full ] && echo "/dev/full is still a device"
else
  printf '%s\n' "chaff: /dev/full: write failed: No space left on device" "exit=3" \
    "chaff: <stdout>: write failed: No space left on device" "exit=3" "/dev/full is still a device"
fi
$CHAFF dedup -q in.jsonl --kept /dev/null; echo "exit=$?"
$CHAFF dedup -q in.jsonl --kept /dev/stdout; echo "exit=$?"
[ -L /dev/stdout ] && echo "/dev/stdout is still a link"
echo "--- all outputs or none: a failing later output leaves no earlier one behind"
printf '{"text":"a b c"}\n{"text":"A B C"}\n' > dup.jsonl
if [ -c /dev/full ] && [ -w /dev/full ]; then
  $CHAFF dedup -q dup.jsonl --kept k.txt --dropped /dev/full; echo "exit=$?"
else
  printf '%s\n' "chaff: /dev/full: write failed: No space left on device" "exit=3"
fi
[ -e k.txt ] && echo "k.txt was left behind"
$CHAFF dedup -q dup.jsonl --kept k.txt --stats missing-dir/s.json; echo "exit=$?"
[ -e k.txt ] && echo "k.txt was left behind"
echo "--- with no --kept, --dropped or -o the kept records take stdout"
$CHAFF dedup -q in.jsonl --stats -; echo "exit=$?"
rm dup.jsonl
ls -A
