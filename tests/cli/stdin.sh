# - reads stdin (JSONL unless --format text); with no output flag, kept records go to stdout
printf '%s\n' '{"text":"one two three four five six"}' '{"text":"One two three four five six."}' '{"text":"seven"}' | $CHAFF dedup -q -; echo "exit=$?"
printf 'a b c\nA B C\n' | $CHAFF dedup -q --format text - --dropped -; echo "exit=$?"
