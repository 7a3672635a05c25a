# gnuplot -e "dat='results/ramp-plain.dat'; out='latency.png'" plot.gp
# Relay latency percentiles (left axis) and server CPU (right axis)
# against concurrent calls, from switchboard-bench --dat.
if (!exists("dat")) dat = 'results/ramp-plain.dat'
if (!exists("out")) out = 'latency.png'
set terminal pngcairo size 1000,560 font ",11" noenhanced
set output out
set title "Switchboard on 2 cores: relay latency and server CPU vs concurrent calls"
set xlabel "concurrent calls"
set ylabel "relay latency (ms)"
set y2label "server CPU (cores)"
set ytics nomirror
set y2tics
set grid
set key top left
set logscale y
plot dat using 1:2 with linespoints title "downstream p50", \
     dat using 1:4 with linespoints title "downstream p99", \
     dat using 1:5 with points title "downstream max", \
     dat using 1:6 with linespoints title "upstream p50", \
     dat using 1:7 with linespoints title "upstream p99", \
     5 with lines dashtype 2 title "target p99 5 ms", \
     dat using 1:10 axes x1y2 with linespoints lw 2 title "server CPU (cores)"
