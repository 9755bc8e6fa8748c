#!/usr/bin/env python3
"""Counts the pixels of a PNG screenshot that have each of the given colours.

Usage: png-colours.py SHOT.png '#a8d5a2' '#d93025' ...
Prints one line per colour, `#rrggbb COUNT`. Standard library only (zlib), so a check can look at
what a browser drew without an image package. Handles 8-bit RGB and RGBA, non-interlaced, which is
what headless Chromium writes.
"""
import struct
import sys
import zlib


def pixels(path):
    data = open(path, 'rb').read()
    if data[:8] != b'\x89PNG\r\n\x1a\n':
        raise SystemExit(f'{path}: not a PNG')
    pos, idat, width, height, channels = 8, [], 0, 0, 0
    while pos < len(data):
        length, kind = struct.unpack('>I4s', data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        pos += 12 + length
        if kind == b'IHDR':
            width, height, depth, colour, _, _, interlace = struct.unpack('>IIBBBBB', body)
            if depth != 8 or colour not in (2, 6) or interlace != 0:
                raise SystemExit(f'{path}: only 8-bit RGB/RGBA non-interlaced PNGs are supported')
            channels = 3 if colour == 2 else 4
        elif kind == b'IDAT':
            idat.append(body)
        elif kind == b'IEND':
            break
    raw = zlib.decompress(b''.join(idat))
    stride = width * channels
    prev = bytearray(stride)
    for y in range(height):
        start = y * (stride + 1)
        filt, row = raw[start], bytearray(raw[start + 1:start + 1 + stride])
        for i in range(stride):
            a = row[i - channels] if i >= channels else 0
            b = prev[i]
            c = prev[i - channels] if i >= channels else 0
            if filt == 1:
                row[i] = (row[i] + a) & 255
            elif filt == 2:
                row[i] = (row[i] + b) & 255
            elif filt == 3:
                row[i] = (row[i] + (a + b) // 2) & 255
            elif filt == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                row[i] = (row[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        yield from (bytes(row[x:x + 3]) for x in range(0, stride, channels))
        prev = row


def main():
    path, colours = sys.argv[1], sys.argv[2:]
    wanted = {bytes.fromhex(c.lstrip('#')): c for c in colours}
    counts = dict.fromkeys(colours, 0)
    for px in pixels(path):
        name = wanted.get(px)
        if name is not None:
            counts[name] += 1
    for colour in colours:
        print(f'{colour} {counts[colour]}')


if __name__ == '__main__':
    main()
