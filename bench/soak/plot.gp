# gnuplot -e "dat='results/soak-100x30.dat'; out='soak.png'" soak/plot.gp
# The soak run: the server's RSS (left axis) and open file descriptors
# (right axis) over time, with live calls, from switchboard-soak --dat.
if (!exists("dat")) dat = 'results/soak-100x30.dat'
if (!exists("out")) out = 'soak.png'
set terminal pngcairo size 1000,560 font ",11" noenhanced
set output out
set title "Switchboard soak on 2 cores: server RSS and open fds over time"
set xlabel "minutes"
set ylabel "RSS (MiB)"
set y2label "open fds / live calls"
set ytics nomirror
set y2tics
set grid
set key bottom right
set yrange [0:*]
set y2range [0:*]
plot dat using 1:2 with lines lw 2 title "server RSS (MiB)", \
     dat using 1:3 axes x1y2 with lines title "server open fds", \
     dat using 1:5 axes x1y2 with lines dashtype 2 title "live calls"
