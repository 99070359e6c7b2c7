# a missing or non-string text field is an error naming the line; --field picks another field
printf '%s\n' '{"text":"present"}' '{"body":"no text field"}' > missing.jsonl
$CHAFF dedup -q missing.jsonl --kept k.txt; echo "exit=$?"
printf '%s\n' '{"text":42}' > number.jsonl
$CHAFF dedup -q number.jsonl --kept k.txt; echo "exit=$?"
printf '%s\n' '{"text":null}' > null.jsonl
$CHAFF dedup -q null.jsonl --kept k.txt; echo "exit=$?"
printf '%s\n' '{"text":{"nested":"x"}}' > obj.jsonl
$CHAFF dedup -q obj.jsonl --kept k.txt; echo "exit=$?"
$CHAFF dedup -q missing.jsonl --field body --kept k.txt; echo "exit=$?"
echo "--- custom field is used"
printf '%s\n' '{"body":"x y z w v u"}' '{"body":"X Y Z W V U"}' > body.jsonl
$CHAFF dedup -q body.jsonl --field body --dropped -; echo "exit=$?"
ls -A
