# --format frames --filter video: too short, blank and frozen videos are
# dropped with their reason and value and never enter the index; --set
# video.NAME moves a threshold; text presets stay refused for frames
a='"0123456789abcdef","1111222233334444","7edcba9876543210","0f0f0f0f0f0f0f0f"'
{
    echo "{\"id\":\"short\",\"frames\":[\"0123456789abcdef\"]}"
    echo "{\"id\":\"black\",\"frames\":[\"0000000000000000\",\"0000000000000000\",\"0000000000000003\",\"0123456789abcdef\"]}"
    echo "{\"id\":\"still\",\"frames\":[\"5a5a5a5a5a5a5a5a\",\"5a5a5a5a5a5a5a5b\",\"5a5a5a5a5a5a5aa5\",\"5a5a5a5a5a5a5a5a\"]}"
    echo "{\"id\":\"a\",\"frames\":[$a]}"
    echo "{\"id\":\"still2\",\"frames\":[\"5a5a5a5a5a5a5a5a\",\"5a5a5a5a5a5a5a5a\"]}"
    echo "{\"id\":\"a2\",\"frames\":[$a]}"
} > v.jsonl
$CHAFF dedup -q --format frames --id-field id --filter video --dropped - --kept /dev/null v.jsonl; echo "exit=$?"
echo "-- frozen_bits 7 keeps still (8 bits from its first frame); min_frames 1 keeps short, which a contains"
$CHAFF dedup -q --format frames --id-field id --filter video --set video.frozen_bits=7 \
    --set video.min_frames=1 --dropped - --kept /dev/null v.jsonl; echo "exit=$?"
echo "-- max_blank_share 0.75: black has 3 of 4 blank frames"
$CHAFF dedup -q --format frames --id-field id --filter video --set video.max_blank_share=0.75 \
    --dropped - --kept /dev/null v.jsonl; echo "exit=$?"
echo "-- stats"
$CHAFF dedup -q --format frames --filter video --kept /dev/null --stats - v.jsonl |
    sed 's/.*"dropped":\({[^}]*}\).*"filtered":\({[^}]*}\),"filter":\({[^}]*}\).*/\1 \2 \3/'
echo "-- errors"
$CHAFF dedup -q --format frames --filter gopher v.jsonl; echo "exit=$?"
$CHAFF dedup -q --format frames --filter video --set gopher.min_doc_words=3 v.jsonl; echo "exit=$?"
$CHAFF dedup -q --format frames --filter video --set video.frozen_bits=65 v.jsonl; echo "exit=$?"
$CHAFF dedup -q --filter video --format jsonl v.jsonl; echo "exit=$?"
