# several inputs: one index sequence, duplicates across files, mixed formats
printf '%s\n' '{"text":"shared document across two files with words"}' '{"text":"only in the first"}' > a.jsonl
printf '%s\n' 'Shared document, across two files with words.' 'only in the second' > b.txt
printf '%s\n' '{"text":"only in the first"}' | gzip > c.jsonl.gz
$CHAFF dedup -q a.jsonl b.txt c.jsonl.gz --kept - ; echo "exit=$?"
$CHAFF dedup -q a.jsonl b.txt c.jsonl.gz --dropped - ; echo "exit=$?"
