#!/bin/sh
# tests/video/make-videos.sh - generates the video near-duplicate test set.
# usage: make-videos.sh OUTDIR [JOBS]
# Writes OUTDIR/src/NAME.mkv (distinct synthetic sources: slow motion, coarse
# structure, since a hash at 1 frame/s cannot follow fast motion) and
# OUTDIR/copy/NAME.TRANSFORM.mkv (each source transformed), plus
# OUTDIR/list.tsv: path, source name, transformation ("source" for sources),
# in the order to deduplicate them (sources first).
set -eu
out=$1
jobs=${2:-2}
mkdir -p "$out/src" "$out/copy"
FF="ffmpeg -nostdin -hide_banner -v error -y"
T=8
S=320x240
# name|lavfi source
cat >"$out/sources.txt" <<EOS
tsrc|testsrc2=size=$S:rate=25,setpts=4*PTS,fps=25
mandel_a|mandelbrot=size=$S:rate=5:end_pts=120:start_scale=3:end_scale=1,fps=25
mandel_b|mandelbrot=size=$S:rate=5:end_pts=120:start_x=-0.745:start_y=0.11:start_scale=0.05:end_scale=0.01,fps=25
life_a|life=size=80x60:rate=1:ratio=0.3:mold=10:seed=1,scale=$S:flags=neighbor,fps=25
life_b|life=size=64x48:rate=1:ratio=0.5:mold=20:seed=7:life_color=#ff8040,scale=$S:flags=neighbor,fps=25
cell_30|cellauto=size=80x60:rate=2:rule=30:seed=3,scale=$S:flags=neighbor,fps=25
cell_110|cellauto=size=107x80:rate=2:rule=110:seed=5:scroll=1,scale=$S:flags=neighbor,fps=25
grad|gradients=size=$S:rate=25:speed=0.004:seed=11:n=4
EOS
# Each step is one line of shell in a file, run $jobs at a time (no paths
# with spaces here, all made by this script).
runall() { tr '\n' '\0' <"$1" | xargs -0 -P "$jobs" -n 1 sh -c; }
: >"$out/jobs1"
while IFS='|' read -r name src; do
    echo "$FF -f lavfi -i '$src' -t $T -c:v libx264 -crf 16 -preset veryfast -pix_fmt yuv420p $out/src/$name.mkv" >>"$out/jobs1"
done <"$out/sources.txt"
runall "$out/jobs1"
: >"$out/list.tsv"
while IFS='|' read -r name src; do
    printf '%s\t%s\tsource\n' "$out/src/$name.mkv" "$name" >>"$out/list.tsv"
done <"$out/sources.txt"
# transformation|ffmpeg output options (input is the source)
cat >"$out/transforms.txt" <<EOT
mpeg4_lowq|-c:v mpeg4 -q:v 24
mpeg2_lowq|-c:v mpeg2video -q:v 28
mjpeg_lowq|-c:v mjpeg -q:v 25
x264_lowq|-c:v libx264 -crf 42 -preset ultrafast
scale_down|-vf scale=160:120 -c:v libx264 -crf 28 -preset ultrafast
scale_up|-vf scale=640:480 -c:v libx264 -crf 28 -preset ultrafast
crop5|-vf crop=iw*0.95:ih*0.95 -c:v libx264 -crf 28 -preset ultrafast
crop5_corner|-vf crop=iw*0.95:ih*0.95:0:0 -c:v libx264 -crf 28 -preset ultrafast
colour|-vf eq=brightness=0.08:contrast=1.2:saturation=1.4,hue=h=40 -c:v libx264 -crf 28 -preset ultrafast
darker|-vf eq=brightness=-0.12:gamma=0.8 -c:v libx264 -crf 28 -preset ultrafast
fps12|-vf fps=12 -c:v libx264 -crf 28 -preset ultrafast
fps50|-vf fps=50 -c:v libx264 -crf 28 -preset ultrafast
trim_head|-ss 2.5 -c:v libx264 -crf 28 -preset ultrafast
trim_tail|-t 7 -c:v libx264 -crf 28 -preset ultrafast
letterbox|-vf scale=320:180,pad=320:240:0:30 -c:v libx264 -crf 28 -preset ultrafast
pillarbox|-vf pad=428:240:54:0 -c:v libx264 -crf 28 -preset ultrafast
mirror|-vf hflip -c:v libx264 -crf 28 -preset ultrafast
EOT
: >"$out/jobs2"
while IFS='|' read -r name src; do
    while IFS='|' read -r tr opts; do
        echo "$FF -i $out/src/$name.mkv $opts $out/copy/$name.$tr.mkv" >>"$out/jobs2"
        printf '%s\t%s\t%s\n' "$out/copy/$name.$tr.mkv" "$name" "$tr" >>"$out/list.tsv"
    done <"$out/transforms.txt"
    # another source's content after this one: a compilation containing it
    other=$(grep -v "^$name|" "$out/sources.txt" | head -n 1 | cut -d'|' -f2)
    echo "$FF -i $out/src/$name.mkv -f lavfi -t 4 -i '$other' -filter_complex" \
        "'[0:v]format=yuv420p,setsar=1[a];[1:v]scale=320:240,format=yuv420p,setsar=1[b];[a][b]concat=n=2:v=1[v]' -map '[v]'" \
        "-c:v libx264 -crf 28 -preset ultrafast $out/copy/$name.concat.mkv" >>"$out/jobs2"
    printf '%s\t%s\t%s\n' "$out/copy/$name.concat.mkv" "$name" concat >>"$out/list.tsv"
done <"$out/sources.txt"
runall "$out/jobs2"
