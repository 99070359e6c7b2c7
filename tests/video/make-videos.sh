#!/bin/sh
# tests/video/make-videos.sh - generates the video near-duplicate test set.
# usage: make-videos.sh OUTDIR [JOBS]
# Writes OUTDIR/src/NAME.mkv (distinct synthetic sources: slow motion, coarse
# structure, since a hash at 1 frame/s cannot follow fast motion) and
# OUTDIR/copy/NAME.TRANSFORM.mkv (each source transformed), OUTDIR/extra/
# (20 more distinct sources, not copied, for precision), OUTDIR/degen/ (a
# black video, a looped still, a 1-second clip, for --filter video), plus
# OUTDIR/list.tsv: path, source name, transformation ("source" for sources),
# in the order to deduplicate them (sources first; degen/ is not listed).
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
# More distinct sources, with other parameters, only to check that none is
# joined to another (precision on 378 source pairs, not 28): not copied.
# ffmpeg's gradients are random on every run, and two linear gradients of
# random colours can come out near mirror images of each other (a mirror
# share of 0.5 within 12 bits was seen, 0.8 joins them), so the second one
# here is a spiral: the set then tests distinct content, not the luck of a draw.
mkdir -p "$out/extra"
cat >"$out/extra.txt" <<EOS
tsrc1|testsrc=size=$S:rate=25,setpts=4*PTS,fps=25
mandel_c|mandelbrot=size=$S:rate=5:end_pts=120:start_x=-1.25:start_y=0.02:start_scale=0.2:end_scale=0.05,fps=25
mandel_d|mandelbrot=size=$S:rate=5:end_pts=120:start_x=0.3:start_y=0.5:start_scale=0.3:end_scale=0.1:inner=period,fps=25
mandel_e|mandelbrot=size=$S:rate=5:end_pts=60:start_x=-0.1:start_y=0.65:start_scale=0.5:end_scale=0.2:outer=normalized_iteration_count,fps=25
life_c|life=size=80x60:rate=1:ratio=0.4:mold=5:seed=3,scale=$S:flags=neighbor,fps=25
life_d|life=size=40x30:rate=1:ratio=0.2:seed=11:life_color=#40ff40,scale=$S:flags=neighbor,fps=25
life_e|life=size=120x90:rate=2:ratio=0.6:mold=30:seed=23,scale=$S:flags=neighbor,fps=25
life_f|life=size=96x72:rate=1:ratio=0.35:mold=15:seed=99:life_color=#8080ff,scale=$S:flags=neighbor,fps=25
cell_18|cellauto=size=80x60:rate=2:rule=18:seed=9,scale=$S:flags=neighbor,fps=25
cell_90|cellauto=size=80x60:rate=2:rule=90:seed=4:scroll=0,scale=$S:flags=neighbor,fps=25
cell_150|cellauto=size=64x48:rate=3:rule=150:seed=6,scale=$S:flags=neighbor,fps=25
cell_54|cellauto=size=107x80:rate=1:rule=54:ratio=0.3:seed=8,scale=$S:flags=neighbor,fps=25
grad_b|gradients=size=$S:rate=25:speed=0.002:seed=3:n=3:type=spiral
grad_c|gradients=size=$S:rate=25:speed=0.006:seed=77:n=6:type=radial
grad_d|gradients=size=$S:rate=25:speed=0.003:seed=5:n=2:type=circular
sierp|sierpinski=size=$S:rate=25:seed=5:jump=1:type=carpet
sierp_t|sierpinski=size=$S:rate=25:seed=9:jump=2:type=triangle
spectrum|colorspectrum=size=640x240:rate=25,crop=320:240:t*10:0
ring|mptestsrc=rate=25:test=ring1,scale=$S,setpts=4*PTS,fps=25
chart|colorchart=rate=25,scale=$S,rotate=a=t*0.05
EOS
: >"$out/jobs3"
while IFS='|' read -r name src; do
    echo "$FF -f lavfi -i '$src' -t $T -c:v libx264 -crf 20 -preset veryfast -pix_fmt yuv420p $out/extra/$name.mkv" >>"$out/jobs3"
    printf '%s\t%s\tsource\n' "$out/extra/$name.mkv" "$name" >>"$out/list.tsv"
done <"$out/extra.txt"
runall "$out/jobs3"
# Degenerate videos for --filter video (not in list.tsv): a black one, a
# looped still image, a 1-second clip.
mkdir -p "$out/degen"
$FF -f lavfi -i "color=c=black:size=$S:rate=25" -t $T -c:v libx264 -crf 28 -pix_fmt yuv420p "$out/degen/black.mkv"
$FF -f lavfi -i "mandelbrot=size=$S" -frames:v 1 "$out/degen/still.png"
$FF -loop 1 -i "$out/degen/still.png" -t $T -r 25 -c:v libx264 -crf 40 -pix_fmt yuv420p "$out/degen/still.mkv"
$FF -f lavfi -i "testsrc2=size=$S:rate=25" -t 1 -c:v libx264 -crf 28 -pix_fmt yuv420p "$out/degen/short.mkv"
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
