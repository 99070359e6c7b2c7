# SIGTERM mid-run leaves no temporary or partial output files
(printf '{"text":"a b c"}\n'; sleep 3) | $CHAFF dedup -q - --kept k.txt -o o.jsonl &
pid=$!
sleep 1
kill -TERM $pid
wait $pid; echo "exit=$?"
ls -A
