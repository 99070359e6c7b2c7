# --format frames: near-duplicate videos by matched-frame share, exact copies,
# mirrors, bad arrays, --max-hamming and --threshold at their edges
a='"0123456789abcdef","1111222233334444","7edcba9876543210","0f0f0f0f0f0f0f0f"'
# b: every frame 2 bits from a's; c: unrelated; e: 3 of a's 4 frames then 1 unrelated
b='"0123456789abcdec","1111222233334447","7edcba9876543213","0f0f0f0f0f0f0f0c"'
c='"5a5a5a5a5a5a5a5a","3c3c3c3c3c3c3c3c","6996699669966996","0000ffff0000ffff"'
e='"0123456789abcdef","1111222233334444","7edcba9876543210","7777777777777777"'
# m: a flipped, given only through its mirror field
{
    echo "{\"id\":\"a\",\"frames\":[$a]}"
    echo "{\"id\":\"b\",\"frames\":[$b]}"
    echo "{\"id\":\"c\",\"frames\":[$c]}"
    echo "{\"id\":\"d\",\"frames\":[ $a ]}"
    echo "{\"id\":\"e\",\"frames\":[$e]}"
    echo "{\"id\":\"m\",\"frames\":[\"6000000000000001\",\"6000000000000002\",\"6000000000000003\",\"6000000000000004\"],\"mirror\":[$b]}"
    echo "{\"id\":\"empty\",\"frames\":[]}"
    echo "{\"id\":\"bad\",\"frames\":[\"12345\"]}"
} > v.jsonl
$CHAFF dedup -q --format frames --id-field id --on-error skip --dropped - --kept /dev/null v.jsonl; echo "exit=$?"
echo "-- mirror field"
$CHAFF dedup -q --format frames --id-field id --mirror-field mirror --on-error skip --dropped - --kept /dev/null v.jsonl; echo "exit=$?"
echo "-- threshold 0.75: e shares 3 of 4"
$CHAFF dedup -q --format frames --id-field id --threshold 0.75 --on-error skip --dropped - --kept /dev/null v.jsonl; echo "exit=$?"
echo "-- max-hamming 1: b is 2 bits off"
$CHAFF dedup -q --format frames --id-field id --max-hamming 1 --on-error skip --dropped - --kept /dev/null v.jsonl; echo "exit=$?"
echo "-- errors"
$CHAFF dedup -q --format frames v.jsonl --kept /dev/null; echo "exit=$?"
$CHAFF dedup -q --format frames --max-hamming 65 v.jsonl; echo "exit=$?"
echo "-- crop field: a crop before its source, then after it"
# s: 2 frames with 5 variants each; k: the top-right variants (k = 2) of s
s='"1234567812345678","2345678923456789"'
sc='"3000000000000001","3000000000000002","4a4a4a4a12121212","3000000000000004","3000000000000005"'
sc="$sc"',"3000000000000011","3000000000000012","5b5b5b5b23232323","3000000000000014","3000000000000015"'
k='"4a4a4a4a12121212","5b5b5b5b23232323"'
echo "{\"id\":\"k\",\"frames\":[$k]}" > k.jsonl
echo "{\"id\":\"s\",\"frames\":[$s],\"crops\":[$sc]}" > s.jsonl
cat k.jsonl s.jsonl | $CHAFF dedup -q --format frames --id-field id --crop-field crops --dropped - --kept /dev/null -; echo "exit=$?"
cat s.jsonl k.jsonl | $CHAFF dedup -q --format frames --id-field id --crop-field crops --dropped - --kept /dev/null -; echo "exit=$?"
echo "-- without it, the crop after its source is kept"
cat s.jsonl k.jsonl | $CHAFF dedup -q --format frames --id-field id --dropped - --kept /dev/null -; echo "exit=$?"
echo "-- crops must hold 5 hashes per frame"
echo "{\"id\":\"s\",\"frames\":[$s],\"crops\":[$k]}" | $CHAFF dedup -q --format frames --crop-field crops --kept /dev/null -; echo "exit=$?"
