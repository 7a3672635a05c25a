#!/usr/bin/env python3
"""The relay's own span, from a packet capture on loopback (issue 15.2).

    tcpdump -i lo -s 0 -B 262144 -w run.pcap tcp &   # then the bench run
    python3 bench/tools/relay_span.py run.pcap [--skip-s 5]

Every latency the bench or the floor prints is taken by its own generator,
whose loop lag is part of the figure. This reads the kernel's timestamps
instead: when a message's last byte was handed to loopback by its sender,
and when the relay's answer to it was. So the span of one hop is the
relay's alone (its wake-up, read, work, queue and write), with the same
instrument for `switchboard serve` and for `switchboard-floor --protocol 1`.

It rebuilds every TCP stream, reads the WebSocket frames after the upgrade
and pairs, per call:
  down: a `response.output_audio.delta` from the Realtime peer with the
        Twilio `media` frame the relay wrote for it (same base64 audio);
  up:   a caller's `media` frame with the `input_audio_buffer.append` the
        relay wrote for it.
Calls are told apart by the caller's number (in the Media Stream's start
event and in the session.update the server sends the peer; the floor: the
call id in its header), then a call's messages are paired in order, each
answer with the next message of the same audio; a message with no
counterpart (a reply cut by a barge-in, say) is skipped and counted. Plain
WebSocket only (runs without --tls).
"""

import argparse
import collections
import re
import struct
import sys


def packets(path):
    with open(path, 'rb') as f:
        head = f.read(24)
        magic = struct.unpack('<I', head[:4])[0]
        if magic == 0xa1b2c3d4:
            scale = 1e-6
        elif magic == 0xa1b23c4d:
            scale = 1e-9
        else:
            sys.exit('not a little-endian pcap file')
        linktype = struct.unpack('<I', head[20:24])[0]
        if linktype != 1:
            sys.exit('expected Ethernet framing (tcpdump -i lo)')
        while True:
            h = f.read(16)
            if len(h) < 16:
                return
            sec, frac, incl, _ = struct.unpack('<IIII', h)
            data = f.read(incl)
            yield sec + frac * scale, data


def tcp_segments(path):
    for ts, d in packets(path):
        if len(d) < 34 or d[12:14] != b'\x08\x00':
            continue
        ihl = (d[14] & 0x0f) * 4
        if d[23] != 6:
            continue
        src, dst = d[26:30], d[30:34]
        t = 14 + ihl
        sport, dport, seq = struct.unpack('>HHI', d[t:t + 8])
        off = (d[t + 12] >> 4) * 4
        flags = d[t + 13]
        total = struct.unpack('>H', d[16:18])[0]
        payload = d[t + off:14 + total]
        yield ts, (src, sport, dst, dport), seq, flags, payload


class stream:
    """One direction of one connection: its bytes, and when each arrived."""

    def __init__(self):
        self.next_seq = None
        self.data = bytearray()
        self.marks = []  # (end offset, ts) per segment

    def add(self, ts, seq, flags, payload):
        if flags & 0x02:  # SYN
            self.next_seq = (seq + 1) & 0xffffffff
            return
        if self.next_seq is None or not payload:
            return
        delta = (seq - self.next_seq) & 0xffffffff
        if delta >= 0x80000000:  # old bytes (a retransmission, or lo's copy)
            skip = (self.next_seq - seq) & 0xffffffff
            if skip >= len(payload):
                return
            payload = payload[skip:]
        elif delta != 0:
            raise SystemExit('a gap in a TCP stream: was the capture dropping packets?')
        self.data += payload
        self.next_seq = (self.next_seq + len(payload)) & 0xffffffff
        self.marks.append((len(self.data), ts))

    def ts_at(self, end):
        """When the byte before offset `end` arrived."""
        lo, hi = 0, len(self.marks) - 1
        while lo < hi:
            mid = (lo + hi) // 2
            if self.marks[mid][0] >= end:
                hi = mid
            else:
                lo = mid + 1
        return self.marks[lo][1]

    def frames(self):
        """(text, ts) of each complete WebSocket text frame after the upgrade."""
        d = bytes(self.data)
        head = d.find(b'\r\n\r\n')
        if head < 0 or not (d.startswith(b'GET ') or d.startswith(b'HTTP/1.1 101')):
            return
        i = head + 4
        while i + 2 <= len(d):
            b0, b1 = d[i], d[i + 1]
            n = b1 & 0x7f
            j = i + 2
            if n == 126:
                n = struct.unpack('>H', d[j:j + 2])[0]
                j += 2
            elif n == 127:
                n = struct.unpack('>Q', d[j:j + 8])[0]
                j += 8
            mask = None
            if b1 & 0x80:
                mask = d[j:j + 4]
                j += 4
            if j + n > len(d):
                return
            body = d[j:j + n]
            if mask:
                body = bytes(c ^ mask[k & 3] for k, c in enumerate(body))
            if b0 & 0x0f == 1:
                yield body, self.ts_at(j + n)
            i = j + n


AUDIO = {
    'delta': re.compile(rb'"type"\s*:\s*"response\.output_audio\.delta".*?"delta"\s*:\s*"([^"]*)"'),
    'append': re.compile(rb'"type"\s*:\s*"input_audio_buffer\.append".*?"audio"\s*:\s*"([^"]*)"'),
    'media': re.compile(rb'"event"\s*:\s*"media".*?"payload"\s*:\s*"([^"]*)"'),
}
AUDIO_ALT = {  # the same, with the fields in the other order
    'delta': re.compile(rb'"delta"\s*:\s*"([^"]*)".*?"type"\s*:\s*"response\.output_audio\.delta"'),
    'append': re.compile(rb'"audio"\s*:\s*"([^"]*)".*?"type"\s*:\s*"input_audio_buffer\.append"'),
}


def audio_of(kind, text):
    m = AUDIO[kind].search(text) or (AUDIO_ALT.get(kind) and AUDIO_ALT[kind].search(text))
    return m.group(1) if m else None


def pct(xs, p):
    if not xs:
        return float('nan')
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(p / 100 * len(xs)))]


def in_order(pairs, t0):
    """pairs: [(ins, outs)] of one call and direction, each [(key, ts)].
    Each out matched with the next in of the same audio. Spans in ms of the
    outs after t0; ins skipped (no out); outs with no in."""
    spans, skipped, unmatched = [], 0, 0
    for ins, outs in pairs:
        i = 0
        for k, ts in outs:
            j = i
            while j < len(ins) and ins[j][0] != k:
                j += 1
            if j == len(ins):
                unmatched += 1
                continue
            skipped += j - i
            if ts >= t0:
                spans.append((ts - ins[j][1]) * 1e3)
            i = j + 1
    return spans, skipped, unmatched


NUMBER = re.compile(rb'\+1555\d{7}')


def server_calls(streams):
    """switchboard serve: {number: {kind: [(key, ts)]}}. A call's number is
    in its Media Stream's start event (customParameters) and in the
    session.update the server sends the peer."""
    calls = collections.defaultdict(lambda: collections.defaultdict(list))
    by_conn = {}  # (ip, port, ip, port) of the request's direction -> number
    frames = {}
    for flow, s in streams.items():
        frames[flow] = list(s.frames())
        if bytes(s.data[:4]) == b'GET ':
            for text, _ in frames[flow][:4]:
                m = NUMBER.search(text)
                if m:
                    by_conn[flow] = m.group(0)
                    break
    for flow, fs in frames.items():
        server_side = flow not in by_conn
        request = (flow[2], flow[3], flow[0], flow[1]) if server_side else flow
        number = by_conn.get(request)
        if number is None:
            continue
        for text, ts in fs:
            for kind in ('delta', 'append', 'media'):
                b64 = audio_of(kind, text)
                if b64 is None:
                    continue
                if kind == 'media':
                    kind = 'media_out' if server_side else 'media_in'
                calls[number][kind].append((hash(b64), ts))
                break
    return calls


def floor_calls(streams):
    """switchboard-floor: {call id: {kind: [(0, ts)]}} from the 16-byte
    header before each message (bench/floor/floor.hpp)."""
    names = {2: 'media_in', 3: 'append', 4: 'delta', 5: 'media_out'}
    calls = collections.defaultdict(lambda: collections.defaultdict(list))
    for s in streams.values():
        d = bytes(s.data)
        i = 0
        while i + 16 <= len(d):
            n, k, _, call, _ = struct.unpack('<HBBIQ', d[i:i + 16])
            if n < 16 or i + n > len(d):
                break
            if k in names:
                calls[call][names[k]].append((0, s.ts_at(i + n)))
            i += n
    return calls


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('pcap')
    ap.add_argument('--floor', action='store_true',
                    help='a switchboard-floor run (its 16-byte headers, not HTTP upgrades)')
    ap.add_argument('--skip-s', type=float, default=0.0,
                    help='leave out the first S seconds of the capture (set-up, warm-up)')
    a = ap.parse_args()

    streams = collections.defaultdict(stream)
    first = None
    for ts, flow, seq, flags, payload in tcp_segments(a.pcap):
        first = ts if first is None else first
        streams[flow].add(ts, seq, flags, payload)
    calls = floor_calls(streams) if a.floor else server_calls(streams)

    t0 = (first or 0) + a.skip_s
    kinds = ('delta', 'media_out', 'media_in', 'append')
    print(f'calls {len(calls)}; messages: ' +
          ', '.join(f'{k} {sum(len(c[k]) for c in calls.values())}' for k in kinds))
    for name, i, o in (('down (delta -> media)', 'delta', 'media_out'),
                       ('up (media -> append)', 'media_in', 'append')):
        spans, skipped, unmatched = in_order([(c[i], c[o]) for c in calls.values()], t0)
        print(f'{name}: n {len(spans)}  p50 {pct(spans, 50):.3f}  p90 {pct(spans, 90):.3f}  '
              f'p99 {pct(spans, 99):.3f}  max {max(spans) if spans else float("nan"):.3f} ms  '
              f'(in with no out: {skipped}, out with no in: {unmatched})')


if __name__ == '__main__':
    main()
