# --decontaminate: a record sharing any 13-gram of normalised words with a reference record is
# dropped, naming the reference file and line; a 12-gram overlap is not enough
printf '%s\n' '{"text":"Question: what is the boiling point of water at sea level in degrees Celsius on a clear day?"}' \
    '{"text":"unrelated"}' > ref.jsonl
printf '%s\n' 'A quick brown fox jumps over the lazy dog while seven cats watch from a garden wall today' > ref.txt
printf '%s\n' \
    '{"text":"Students were asked: WHAT is the boiling point of water, at sea level, in degrees Celsius on a clear day? Most knew."}' \
    '{"text":"The boiling point of water at sea level in degrees Celsius on a clear day is well known."}' \
    '{"text":"Notes: boiling point of water at sea level in degrees Celsius on a"}' \
    '{"text":"It said a quick brown fox jumps over the lazy dog while seven cats watch from a garden."}' \
    '{"text":"Nothing in common with any reference at all here, said the old clockmaker to his neighbour."}' > in.jsonl
$CHAFF filter -q --decontaminate ref.jsonl --decontaminate ref.txt in.jsonl --dropped -; echo "exit=$?"
echo "--- shorter n-grams catch the 12-word overlap too"
$CHAFF filter -q --decontaminate ref.jsonl --decontam-n 12 in.jsonl --dropped -; echo "exit=$?"
echo "--- with presets, in one pass"
$CHAFF filter -q --filter synthetic --decontaminate ref.jsonl in.jsonl --kept -; echo "exit=$?"
echo "--- a reference starting with a byte order mark"
printf '\357\273\277' | cat - ref.jsonl > refbom.jsonl
$CHAFF filter -q --decontaminate refbom.jsonl in.jsonl --dropped -; echo "exit=$?"
echo "--- a reference that cannot be read or parsed"
$CHAFF filter -q --decontaminate nothere.jsonl in.jsonl; echo "exit=$?"
printf '{"text":"ok"}\n{"text":\n' > badref.jsonl
$CHAFF filter -q --decontaminate badref.jsonl in.jsonl; echo "exit=$?"
ls -A
