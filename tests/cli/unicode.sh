# JSON escapes are undone before normalisation; Unicode lowercasing; invalid UTF-8 is processed
printf '%s\n' '{"text":"caf\u00e9 CR\u00c8ME br\u00fbl\u00e9e \ud83d\ude00 \u0394\u0395\u039b\u03a4\u0391"}' \
  '{"text":"Café crème brûlée 😀 δελτα"}' \
  '{"text":"lone \udc00 surrogate and \ud800 another"}' \
  '{"text":"lone � surrogate and � another"}' > in.jsonl
printf '{"text":"bytes \377\376 invalid \300 utf8 here"}\n{"text":"bytes invalid utf8 here"}\n' >> in.jsonl
$CHAFF dedup -q in.jsonl --dropped -; echo "exit=$?"
echo "--- a byte order mark before the first record is not part of it"
printf '\357\273\277{"text":"bom first record"}\n{"text":"BOM first record"}\n' > bom.jsonl
$CHAFF dedup -q bom.jsonl --dropped -; echo "exit=$?"
printf '\357\273\277bom text line\nbom text line\n' > bom.txt
$CHAFF dedup -q bom.txt --dropped - -o out.txt; echo "exit=$?"; od -c out.txt | head -2
