#!/bin/sh
# Makes the audio fixtures of audio/ and asr/ from speech synthesized by
# espeak-ng, encoded with lame and ffmpeg. Needs: apt-get install -y
# espeak-ng lame ffmpeg. The outputs are committed, so tests need none of
# these; run it again only to change the fixtures, then commit the files
# and frames.txt (ffprobe's own frame counts, the tests' ground truth).
set -eu
cd "$(dirname "$0")"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

text="Welcome to the recap test episode. Today we talk about coffee, from the farm to the cup.
First, the beans grow on small trees in warm hills, and pickers take only the red cherries.
Second, the seeds are washed, dried in the sun for two weeks, and roasted until they crack.
Third, a good grinder matters more than an expensive machine, because even grounds brew evenly.
Finally, water just off the boil, a clean cup, and patience. Thank you for listening, and see you next week."

espeak-ng -v en-us -s 150 -w "$tmp/speech.wav" "$text"
short="Short clip for the frame parser."
espeak-ng -v en-us -s 160 -w "$tmp/short.wav" "$short"

# speech.mp3: MPEG-2 Layer III, 16 kHz mono, 32 kbit/s CBR, with an ID3v2
# tag and a LAME Info frame: the long fixture that tests cut into chunks.
lame --quiet -m m --resample 16 -b 32 --tt "recap test episode" --ta "recap" --add-id3v2 "$tmp/speech.wav" speech.mp3
# vbr.mp3: MPEG-1, 44.1 kHz stereo VBR with a Xing frame.
lame --quiet -m j --resample 44.1 -V 6 "$tmp/short.wav" vbr.mp3
# crc.mp3: MPEG-1 32 kHz with CRC-protected frames and an ID3v1 tag at the end.
lame --quiet -m m --resample 32 -b 48 -p --id3v1-only --tt "crc" "$tmp/short.wav" crc.mp3
# low.mp3: MPEG-2.5, 8 kHz mono, no Info frame.
lame --quiet -m m --resample 8 -b 16 -t "$tmp/short.wav" low.mp3
# free.mp3: free-format, which recap refuses to cut.
lame --quiet -m m --resample 16 --freeformat -b 40 -t "$tmp/short.wav" free.mp3
# speech.m4a: AAC in MP4, for the ffmpeg path.
ffmpeg -nostdin -loglevel error -y -i "$tmp/speech.wav" -ac 1 -ar 16000 -c:a aac -b:a 16k speech.m4a

: > frames.txt
for f in speech.mp3 vbr.mp3 crc.mp3 low.mp3; do
	# Frames and samples as ffprobe counts them (the Info frame is not audio).
	frames=$(ffprobe -v error -select_streams a:0 -count_packets -show_entries stream=nb_read_packets -of default=nw=1:nk=1 "$f" | head -1)
	rate=$(ffprobe -v error -select_streams a:0 -show_entries stream=sample_rate -of default=nw=1:nk=1 "$f" | head -1)
	echo "$f $frames $rate" >> frames.txt
done
ls -l speech.mp3 vbr.mp3 crc.mp3 low.mp3 free.mp3 speech.m4a
