#!/usr/bin/env python3
"""Write a folder of hostile inputs for cti-index, mixed with normal articles.

    mkhostile.py DIR [--good N] [--long-mb M] [--bomb-mb B]

DIR/in/good/gNNN.txt     N normal articles; each holds the word "zebracorn"
                      and its own marker "goodNNN" (searchable as is)
DIR/in/good/lines.jsonl  N/2 good JSON lines ("jsonNNN", "zebracorn") with
                      bad lines between them: malformed, not an object, no
                      text, deeply nested, a NUL, a huge valid line
DIR/in/hostile/...    empty and blank files, random binary, invalid UTF-8
                      ("utfmarker"), NUL bytes, terminal escape sequences
                      ("escmarker"), a long single line ("longmarker" at
                      its end, M MiB), a good .gz ("gzmarker"), a truncated
                      .gz, a fake .gz, a gzip bomb (B MiB of zeros; 0: none),
                      a 60-level deep folder ("deepmarker"), a symlink
                      loop ("loopmarker"), a dangling symlink, a FIFO,
                      a file name holding an escape sequence
DIR/expected.txt      the markers that must be found, one "marker count" a line

Deterministic: the same arguments write the same bytes.
"""
import argparse
import gzip
import json
import os
import zlib


class Rng:
    """xorshift64*: the same bytes on every machine."""

    def __init__(self, seed):
        self.s = seed or 1

    def next(self):
        s = self.s
        s ^= (s >> 12)
        s ^= (s << 25) & 0xFFFFFFFFFFFFFFFF
        s ^= (s >> 27)
        self.s = s
        return (s * 0x2545F4914F6CDD1D) & 0xFFFFFFFFFFFFFFFF

    def bytes(self, n):
        out = bytearray()
        while len(out) < n:
            out += self.next().to_bytes(8, "little")
        return bytes(out[:n])


WORDS = ("the campaign said senators voted on antitrust rules for tech "
         "companies while the court heard arguments about market power "
         "and consumer prices in several states").split()


def prose(rng, n):
    return " ".join(WORDS[rng.next() % len(WORDS)] for _ in range(n))


def write(path, data):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(data)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("dir")
    ap.add_argument("--good", type=int, default=20)
    ap.add_argument("--long-mb", type=float, default=1)
    ap.add_argument("--bomb-mb", type=int, default=0)
    a = ap.parse_args()
    rng = Rng(0x5EED)
    d = os.path.join(a.dir, "in")
    exp = []

    # Normal articles.
    for i in range(a.good):
        body = "Good article %03d\n\nzebracorn good%03d %s.\n" % (i, i, prose(rng, 60))
        write(os.path.join(d, "good", "g%03d.txt" % i), body.encode())
        exp.append(("good%03d" % i, 1))
    lines = []
    for i in range(a.good // 2):
        lines.append(json.dumps({"id": "json-%03d" % i, "title": "Line %d" % i,
                                 "text": "zebracorn json%03d %s" % (i, prose(rng, 30))}))
        exp.append(("json%03d" % i, 1))
        bad = i % 6
        if bad == 0:
            lines.append('{"id": "broken", "text": "unterminated')
        elif bad == 1:
            lines.append('[1, 2, 3]')
        elif bad == 2:
            lines.append('{"id": "notext", "title": "no body here"}')
        elif bad == 3:
            lines.append('{"text": ' + "[" * 5000 + "]" * 5000 + '}')
        elif bad == 4:
            lines.append('{"id": "nul\x00", "text": "nul\x00byte line"}')
        else:
            lines.append('\x1b[31m{"text": "escape before json"}')
    # A huge but valid line.
    lines.append(json.dumps({"id": "json-huge", "text": "hugejson " + prose(rng, 200000)}))
    exp.append(("hugejson", 1))
    write(os.path.join(d, "good", "lines.jsonl"), ("\n".join(lines) + "\n").encode())
    zebras = a.good + a.good // 2

    h = os.path.join(d, "hostile")
    write(os.path.join(h, "empty.txt"), b"")
    write(os.path.join(h, "blank.txt"), b" \n\t\n\r\n   \n")
    write(os.path.join(h, "random.txt"), rng.bytes(65536))
    write(os.path.join(h, "random.bin"), rng.bytes(4096))
    write(os.path.join(h, "invalid-utf8.txt"),
          b"Broken bytes \xff\xfe\n\nutfmarker \xc3\x28 \xe2\x82 \xed\xa0\x80 \xf4\x90\x80\x80 "
          b"overlong \xc0\xaf end " + rng.bytes(64).replace(b"\x00", b"x") + b"\n")
    exp.append(("utfmarker", 1))
    write(os.path.join(h, "nul.txt"), b"NUL inside\n\nnulmarker text \x00\x00 more \x00 text\n")
    write(os.path.join(h, "escapes.txt"),
          b"Title \x1b[31mred\x1b[0m \x1b]0;pwned\x07 here\n\n"
          b"escmarker \x1b[31m red \x1b[0m \x1b[2J \x1b]0;pwned\x07 \x9b31m \x1b[?1049h "
          b"bell \x07 backspace \x08\x08 cr \r over campaign text\n")
    exp.append(("escmarker", 1))
    n = int(a.long_mb * 1024 * 1024)
    unit = b"longword "
    write(os.path.join(h, "long-line.txt"), unit * (n // len(unit)) + b"longmarker")
    exp.append(("longmarker", 1))
    write(os.path.join(h, "good.txt.gz"),
          gzip.compress(b"Gzip article\n\ngzmarker inside a gzip file\n", mtime=0))
    exp.append(("gzmarker", 1))
    full = gzip.compress(("Cut gzip\n\ncutgzmarker " + prose(rng, 2000)).encode(), mtime=0)
    write(os.path.join(h, "truncated.txt.gz"), full[: len(full) // 2])
    write(os.path.join(h, "fake.txt.gz"), b"fakegzmarker this is not gzip data at all\n")
    write(os.path.join(h, "fake.jsonl.gz"), b"\x1f\x8b\x08\x00garbage" + rng.bytes(100))
    if a.bomb_mb:
        co = zlib.compressobj(9, zlib.DEFLATED, 31)
        chunk = b"\0" * (1 << 20)
        parts = [co.compress(chunk) for _ in range(a.bomb_mb)]
        parts.append(co.flush())
        write(os.path.join(h, "bomb.txt.gz"), b"".join(parts))
    deep = os.path.join(h, "deep", *["d%02d" % i for i in range(60)])
    write(os.path.join(deep, "bottom.txt"), b"Deep article\n\ndeepmarker at the bottom\n")
    exp.append(("deepmarker", 1))
    loop = os.path.join(h, "loop")
    write(os.path.join(loop, "a", "x.txt"), b"Loop article\n\nloopmarker once only\n")
    exp.append(("loopmarker", 1))
    os.symlink(".", os.path.join(loop, "self"))
    os.symlink("..", os.path.join(loop, "a", "up"))
    os.symlink("nowhere.txt", os.path.join(h, "dangling.txt"))
    os.mkfifo(os.path.join(h, "fifo.txt"))
    write(os.path.join(h, "evil\x1b[31mname\x1b[0m.bin"), b"\x00\x01\x02 binary")
    write(os.path.join(h, "evil\x1b]0;x\x07name.txt.gz"), b"not gzip")

    exp.append(("zebracorn", zebras))
    with open(os.path.join(a.dir, "expected.txt"), "w") as f:
        for m, c in exp:
            f.write("%s %d\n" % (m, c))


main()
