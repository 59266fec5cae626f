"""Hostile files, built in memory: a zip bomb that declares >= 1 GB without writing it anywhere,
a truncated workbook, a PNG named .csv, bytes in no known encoding, an xlsx with formulas."""

from __future__ import annotations

import functools
import io
import struct
import zipfile
import zlib

from openpyxl import Workbook

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
# 0xFF is never a lead byte in GB18030 and 0xC0 never starts UTF-8: neither encoding decodes this
BAD_ENCODING = "姓名,身份证号\n".encode() + b"\xff\xfe\xc0\xaf,abc\n"
GBK_CSV = "姓名,备注\n张三,住院\n".encode("gbk")
FORMULA = "=cmd|' /C calc'!A0"


def xlsx_bytes(rows: list[list]) -> bytes:
    wb = Workbook()
    ws = wb.active
    for row in rows:
        ws.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _zip(members: list[tuple[str, bytes, int, int, int]]) -> bytes:
    """A zip written by hand from already deflated members: (name, deflated, crc, size, method)."""
    out, central = io.BytesIO(), io.BytesIO()
    for name, data, crc, size, method in members:
        offset = out.tell()
        raw = name.encode()
        out.write(struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, method, 0, 0x21, crc, len(data), size, len(raw), 0))
        out.write(raw + data)
        central.write(
            struct.pack(
                "<IHHHHHHIIIHHHHHII",
                0x02014B50,
                20,
                20,
                0,
                method,
                0,
                0x21,
                crc,
                len(data),
                size,
                len(raw),
                0,
                0,
                0,
                0,
                0,
                offset,
            )  # fmt: skip
            + raw
        )
    directory = central.getvalue()
    count = len(members)
    end = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, count, count, len(directory), out.tell(), 0)
    return out.getvalue() + directory + end


@functools.cache
def zip_bomb(gib: int = 1) -> bytes:
    """An .xlsx skeleton whose sheet inflates to `gib` GiB of zeros, about 1 MB on disk. One MiB of
    zeros is deflated once with a full flush (a self-contained, byte-aligned piece) and repeated, so
    the bomb is genuine (valid deflate stream, correct CRC) yet nothing ever holds 1 GiB."""
    mib = bytes(1024 * 1024)
    piece = zlib.compressobj(9, zlib.DEFLATED, -15)
    segment = piece.compress(mib) + piece.flush(zlib.Z_FULL_FLUSH)
    count = 1024 * gib
    deflated = segment * count + b"\x03\x00"  # an empty final block ends the stream
    crc = 0
    for _ in range(count):
        crc = zlib.crc32(mib, crc)
    types = b'<?xml version="1.0"?><Types/>'
    return _zip(
        [
            ("[Content_Types].xml", types, zlib.crc32(types), len(types), 0),
            ("xl/worksheets/sheet1.xml", deflated, crc, count * len(mib), 8),
        ]
    )


def truncated_xlsx() -> bytes:
    whole = xlsx_bytes([["a", "b"], *[[i, f"行{i}"] for i in range(200)]])
    return whole[: len(whole) // 2]


def zip_without_content_types() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("hello.txt", "not a workbook")
    return buf.getvalue()
