# chaff filter: each drop names the first rule that fails and the value it measured;
# presets run in the order given; kept records pass byte-identical; dedup --filter keeps
# filtered records out of the index
A='The river rises in the hills to the north of the town and flows slowly to the sea.\nFarmers along its banks have grown barley and oats there for as long as anyone can remember.\nIn the spring the water runs high with melted snow, and the old stone bridge is closed for a week or two.\nChildren fish from the jetty in summer, and the ferry that crosses near the mill carries cyclists and their bicycles.\nEvery autumn the council meets to decide whether the banks need repair before the winter storms arrive.\nMost years they agree that the work can wait, and the river goes on much as it did before.'
B='Too short to keep.'
D="I'm sorry, but I can't help with that request. As an AI language model, I do not have personal opinions."
printf '{"id":"a","text":"%s"}\n{"id":"b","text":"%s"}\n{"id":"d","text":"%s"}\n{"id":"e","text":"%s"}\n{"id":"f","text":"%s"}\n' \
    "$A" "$B" "$D" "$A" "$B" > in.jsonl
echo "--- gopher then synthetic"
$CHAFF filter -q --filter gopher,synthetic --id-field id in.jsonl --dropped - --kept kept.txt; echo "exit=$?"
cat kept.txt
echo "--- synthetic then gopher: the refusal is named first"
$CHAFF filter -q --filter synthetic,gopher in.jsonl --dropped -; echo "exit=$?"
echo "--- -o is byte-identical"
$CHAFF filter -q --filter gopher in.jsonl -o out.jsonl; echo "exit=$?"
sed -n '1p;4p' in.jsonl | cmp - out.jsonl && echo "same bytes"
echo "--- --set changes a threshold; the next rule then decides"
$CHAFF filter -q --filter gopher --set gopher.min_doc_words=4 in.jsonl --dropped -; echo "exit=$?"
echo "--- a rules file"
printf '# loosen gopher\nfilter = gopher   # turns it on\n gopher.min_doc_words = 4\n\ngopher.min_stop_words=1\n' > loose.rules
$CHAFF filter -q --rules loose.rules in.jsonl --dropped -; echo "exit=$?"
echo "--- stats count drops per rule and list the thresholds in use"
$CHAFF filter -q --filter synthetic,gopher in.jsonl --stats st.json --kept /dev/null; echo "exit=$?"
sed 's/"seconds":[0-9.]*/"seconds":S/; s/"records_per_s":[0-9]*/"records_per_s":R/; s/"mb_per_s":[0-9.]*/"mb_per_s":M/; s/"peak_rss_bytes":[0-9]*/"peak_rss_bytes":P/; s/"threads":[0-9]*/"threads":T/' st.json
echo "--- --filter repeated: the presets of each, in order"
$CHAFF filter -q --filter synthetic --filter gopher in.jsonl --stats - --kept /dev/null | grep -o '"presets":"[a-z0-9,]*"'
echo "--- large and fractional values are written in full"
$CHAFF filter -q --filter gopher --set gopher.max_doc_words=20 --set gopher.min_doc_words=0 in.jsonl --dropped -; echo "exit=$?"
$CHAFF filter -q --filter gopher --set gopher.max_doc_words=1234567 in.jsonl --stats - --kept /dev/null | grep -o '"gopher.max_doc_words":[0-9.e+]*'
echo "--- dedup --filter: filtered records never enter the index"
$CHAFF dedup -q --filter gopher in.jsonl --dropped -; echo "exit=$?"
$CHAFF dedup --filter gopher in.jsonl --kept /dev/null 2>&1 | sed 's/in [0-9.]* s: [0-9]* records\/s, [0-9.]* MB\/s/in S/'
echo "--- summary line"
$CHAFF filter --filter gopher in.jsonl --kept /dev/null 2>&1 | sed 's/in [0-9.]* s: [0-9]* records\/s, [0-9.]* MB\/s/in S/'
echo "--- the same verdicts on 1 and 4 threads, and through stdin"
$CHAFF filter -q --filter gopher,synthetic,c4,fineweb in.jsonl --threads 1 --dropped d1.jsonl
$CHAFF filter -q --filter gopher,synthetic,c4,fineweb --threads 4 --dropped d4.jsonl - < in.jsonl
cmp d1.jsonl d4.jsonl && echo "identical"
ls -A
