# --explain writes every statistic each preset measured, for every record; --rewrite puts the
# C4-cleaned text in the field and leaves every other byte of the line as it was
A='The river rises in the hills to the north of the town and flows slowly to the sea.\nFarmers along its banks have grown barley and oats there for as long as anyone can remember.\nIn the spring the water runs high with melted snow, and the old stone bridge is closed for a week or two.\nChildren fish from the jetty in summer, and the ferry that crosses near the mill carries cyclists and their bicycles.\nEvery autumn the council meets to decide whether the banks need repair before the winter storms arrive.'
printf '{"n":1,"text":"%s\\nClick here to subscribe\\nWe use cookies to improve this site.\\nSee the [1] notes [edit] below, caf\\u00e9 owners.","tail":[1,{"x":"y"}]}\n' "$A" > in.jsonl
printf '{"text":"one line only."}\n' >> in.jsonl
$CHAFF filter -q --filter c4,fineweb in.jsonl --explain ex.jsonl --dropped -; echo "exit=$?"
cat ex.jsonl
echo "--- the verdicts are those of a run without --explain"
$CHAFF filter -q --filter c4,fineweb in.jsonl --dropped -; echo "exit=$?"
echo "--- --rewrite"
$CHAFF filter -q --filter c4 --rewrite in.jsonl -o out.jsonl; echo "exit=$?"
cat out.jsonl
echo "--- control characters in the rewritten field are escaped"
printf '{"text":"%s\\nTabs\\there, a bell \\u0007 and a \\"quote\\" end the page."}\n' "$A" > ctl.jsonl
$CHAFF filter -q --filter c4 --rewrite ctl.jsonl -o - | grep -o 'storms arrive.*'; echo "exit=$?"
echo "--- without --rewrite -o is byte-identical"
$CHAFF filter -q --filter c4 in.jsonl -o same.jsonl; echo "exit=$?"
head -1 in.jsonl | cmp - same.jsonl && echo "same bytes"
echo "--- dedup --filter c4 --rewrite, compressed"
$CHAFF dedup -q --filter c4 --rewrite in.jsonl -o out.jsonl.zst; echo "exit=$?"
zstd -dc out.jsonl.zst | cmp - out.jsonl && echo "same as filter"
ls -A
