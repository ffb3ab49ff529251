#!/usr/bin/env python3
"""Writes the malformed-input corpus: 200+ broken variants of a real
iSaVigne sales export (CSV) and of a real BottleNeck workbook (XLSX), made
deterministically from the fixtures, for test/integration/malformed_corpus.sh.

    make_malformed.py FIXTURES_DIR OUT_DIR
"""
import os
import random
import sys


def main(fixtures, out):
    rng = random.Random(7)
    os.makedirs(out, exist_ok=True)
    with open(os.path.join(fixtures, "isavigne_small", "ventes.csv"), "rb") as f:
        csv = b"".join(f.readlines()[:40])
    with open(os.path.join(fixtures, "bottleneck", "erp.xlsx"), "rb") as f:
        xlsx = f.read()
    files = {}

    def put(name, data):
        files[name] = data

    def pos(data):
        return rng.randrange(1, len(data))

    for i in range(20):
        put(f"csv_truncated_{i:02}.csv", csv[:pos(csv)])
    for i in range(20):
        p = pos(csv)
        put(f"csv_stray_quote_{i:02}.csv", csv[:p] + b'"' + csv[p:])
    for i in range(10):
        p = pos(csv)
        put(f"csv_nul_{i:02}.csv", csv[:p] + b"\x00" + csv[p:])
    for i, byte in enumerate([b"\x81", b"\x8d", b"\x8f", b"\x90", b"\x9d"] * 2):
        p = pos(csv)
        put(f"csv_undefined_cp1252_{i:02}.csv", csv[:p] + byte + csv[p:])
    lines = csv.split(b"\r\n")
    for i in range(10):
        k = rng.randrange(1, len(lines) - 1)
        changed = list(lines)
        changed[k] = changed[k].replace(b";", b",", rng.randrange(1, 4))
        put(f"csv_mixed_delimiter_{i:02}.csv", b"\r\n".join(changed))
    for i in range(10):
        k = rng.randrange(1, len(lines) - 1)
        changed = list(lines)
        fields = changed[k].split(b";")
        if i % 2:
            fields.pop(rng.randrange(len(fields)))
        else:
            fields.insert(rng.randrange(len(fields)), b"extra")
        changed[k] = b";".join(fields)
        put(f"csv_ragged_{i:02}.csv", b"\r\n".join(changed))
    header = lines[0].split(b";")
    for i in range(5):
        h = list(header)
        h[rng.randrange(len(h))] = h[0]
        put(f"csv_duplicate_header_{i:02}.csv", b"\r\n".join([b";".join(h)] + lines[1:]))
        h = list(header)
        h[rng.randrange(len(h))] = b""
        put(f"csv_empty_header_{i:02}.csv", b"\r\n".join([b";".join(h)] + lines[1:]))
    for i, sep in enumerate([b"\n", b"\r", b"\n\r", b"\r\r\n", b"\r\n\r\n"] * 2):
        put(f"csv_line_ends_{i:02}.csv", sep.join(lines))
    for i in range(30):
        data = bytearray(csv)
        for _ in range(1 + i % 5):
            data[pos(data)] = rng.randrange(256)
        put(f"csv_byte_flips_{i:02}.csv", bytes(data))
    for i in range(5):
        p = pos(csv)
        put(f"csv_long_field_{i:02}.csv", csv[:p] + b"x" * (50_000 * (i + 1)) + csv[p:])
        put(f"csv_long_quoted_{i:02}.csv", csv[:p] + b'"' + b"y\r\n" * (20_000 * (i + 1)) + csv[p:])
    for i, data in enumerate([b"", b"\xef\xbb\xbf", b"   ", b"\r\n\r\n\r\n", b";;;;\r\n", b'"', b'""""',
                              b"\xff\xfe", b"\xfe\xff", b"a"]):
        put(f"csv_tiny_{i:02}.csv", data)
    text = csv.decode("cp1252")
    for i in range(5):
        put(f"csv_utf16le_{i:02}.csv", (b"\xff\xfe" if i % 2 else b"") + text[: 200 * (i + 1)].encode("utf-16-le"))
        put(f"csv_utf16be_{i:02}.csv", (b"\xfe\xff" if i % 2 else b"") + text[: 200 * (i + 1)].encode("utf-16-be"))
    for i in range(10):
        put(f"csv_garbage_{i:02}.csv", bytes(rng.randrange(256) for _ in range(200 + 300 * i)))

    for i in range(20):
        put(f"xlsx_truncated_{i:02}.xlsx", xlsx[: pos(xlsx)])
    for i in range(25):
        data = bytearray(xlsx)
        for _ in range(1 + i % 4):
            data[pos(data)] ^= 1 << rng.randrange(8)
        put(f"xlsx_bit_flips_{i:02}.xlsx", bytes(data))
    for i in range(10):
        data = bytearray(xlsx)
        p = len(data) - 1 - rng.randrange(min(120, len(data) - 1))  # the central directory
        data[p] = rng.randrange(256)
        put(f"xlsx_directory_{i:02}.xlsx", bytes(data))
    for i, data in enumerate([b"PK", b"PK\x03\x04", b"PK\x05\x06" + b"\x00" * 18, xlsx + b"garbage" * 100,
                              xlsx[:30] + xlsx[60:]]):
        put(f"xlsx_odd_{i:02}.xlsx", data)

    for name, data in files.items():
        with open(os.path.join(out, name), "wb") as f:
            f.write(data)
    print(f"{len(files)} files in {out}")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
