# broken JSON stops the run: FILE:LINE and column, exit 1, no output left behind
printf '%s\n' '{"text":"fine record number one"}' '{"text":"broken" "x":1}' '{"text":"never reached"}' > in.jsonl
$CHAFF dedup -q in.jsonl --kept kept.txt --dropped dropped.jsonl -o out.jsonl --stats s.json; echo "exit=$?"
ls -A
printf '{"text":"ok"}\n\n{"text":"after a blank line"}\n' > blank.jsonl
$CHAFF dedup -q blank.jsonl --kept kept.txt; echo "exit=$?"
printf '{"text":"a"}\n{"text":"tab\there"}\n' > ctl.jsonl
$CHAFF dedup -q ctl.jsonl --kept kept.txt; echo "exit=$?"
printf '{"text":"a",}\n' > comma.jsonl
$CHAFF dedup -q comma.jsonl --kept kept.txt; echo "exit=$?"
printf '["text"]\n' > array.jsonl
$CHAFF dedup -q array.jsonl --kept kept.txt; echo "exit=$?"
printf '{"text":"unterminated\n' > unterm.jsonl
$CHAFF dedup -q unterm.jsonl --kept kept.txt; echo "exit=$?"
ls -A
