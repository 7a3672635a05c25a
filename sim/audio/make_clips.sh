#!/bin/sh
# Makes the speech fixtures: every "name|text" line of CLIPS_TXT becomes
# OUT_DIR/name.ulaw, raw G.711 mu-law, 8000 Hz, mono (8000 bytes/s), the
# format Twilio Media Streams and audio/pcmu carry. Caller lines use a female
# voice and assistant lines a male one, so a listener can tell them apart;
# lines named "es_..." are Spanish, spoken with espeak-ng's es voice.
# OUT_DIR then holds exactly these clips (cmake/embed_clips.cmake compiles in
# every .ulaw there).
# Usage: make_clips.sh CLIPS_TXT OUT_DIR
set -eu
clips_txt=$1
out_dir=$2
mkdir -p "$out_dir"
rm -f "$out_dir"/*.ulaw
tmp_wav="$out_dir/tmp.wav"
grep -v '^#' "$clips_txt" | grep '|' | while IFS='|' read -r name text; do
  case "$name" in
    es_caller_*) voice=es+f3 ;; # espeak-ng-data's Spanish (Spain)
    es_*) voice=es+m3 ;;
    caller_*) voice=en-us+f3 ;;
    *) voice=en-us+m3 ;;
  esac
  espeak-ng -v "$voice" -s 165 -w "$tmp_wav" "$text"
  # -e mu-law -t raw: headerless 8-bit mu-law; -r 8000 -c 1 resamples to mono 8 kHz.
  sox "$tmp_wav" -r 8000 -c 1 -e mu-law -t raw "$out_dir/$name.ulaw"
done
rm -f "$tmp_wav"
