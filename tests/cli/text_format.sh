# .txt and --format text: one record per line; CRLF and a missing last newline
# are kept byte for byte in -o
printf 'alpha beta gamma delta epsilon\r\nALPHA beta, gamma delta epsilon\nsomething else entirely here\n\nlast line without newline' > in.txt
$CHAFF dedup -q in.txt --kept kept.txt --dropped dropped.jsonl -o out.txt; echo "exit=$?"
cat kept.txt; cat dropped.jsonl; od -c out.txt | head -5
echo "--- forced jsonl on a text file fails"
$CHAFF dedup -q --format jsonl in.txt --kept k2.txt; echo "exit=$?"
ls -A
