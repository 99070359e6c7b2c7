# --on-error skip: bad records are skipped, counted, listed in --dropped, warned on stderr
printf '%s\n' '{"text":"first good record here"}' '{"text":' '{"other":1}' '{"text":5}' '{"text":"first good record here"}' > in.jsonl
$CHAFF dedup in.jsonl --on-error skip --kept kept.txt --dropped dropped.jsonl -o out.jsonl --stats s.json 2>err.txt; echo "exit=$?"
grep -v ' records, ' err.txt
grep -c ' 5 records, 1 kept, 4 dropped (1 exact, 0 near, 3 invalid)' err.txt
cat kept.txt dropped.jsonl out.jsonl
grep -o '"dropped":{[^}]*}' s.json
echo "--- an invalid record keeps its id when the line is valid JSON"
printf '%s\n' '{"id":"a","text":"some words here"}' '{"id":"b","txt":"no text"}' '{"id":"c","text":7}' '{"id":"d",' > ids.jsonl
$CHAFF dedup -q ids.jsonl --id-field id --on-error skip --dropped -; echo "exit=$?"
