"""Gzip bodies joined from parts compressed apart, so a feed's compressed body is joined from
stored pieces instead of compressing megabytes on every build.

Each piece is raw deflate data that ends in a sync flush (non-final blocks, byte-aligned,
no reference to anything before it), so pieces can follow one another in one deflate
stream; the stream ends with an empty final block. The gzip trailer's CRC-32 of the whole
body is combined from each piece's own CRC-32 (zlib's crc32_combine, which Python's zlib
does not offer): one multiplication in GF(2) per stored piece, with the factor for its
length kept beside it (`shift`). The result is one ordinary gzip member (RFC 1952) that any
client decompresses.
"""

from __future__ import annotations

import struct
import zlib
from dataclasses import dataclass

LEVEL = 6
# ID1 ID2, deflate, no flags, mtime 0 (the same bytes in every worker), no extra flags, OS unknown.
GZIP_HEADER = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff"
FINAL_BLOCK = b"\x03\x00"  # an empty final block with fixed codes
_POLY = 0xEDB88320  # CRC-32, reflected


def deflate_piece(data: bytes) -> bytes:
    """`data` as raw deflate blocks that another piece may follow."""
    compressor = zlib.compressobj(LEVEL, zlib.DEFLATED, -zlib.MAX_WBITS)
    return compressor.compress(data) + compressor.flush(zlib.Z_SYNC_FLUSH)


def _multiply(a: int, b: int) -> int:
    """a·b modulo the CRC-32 polynomial (zlib's multmodp); a is never 0 here."""
    product, mask = 0, 1 << 31
    while True:
        if a & mask:
            product ^= b
            if not a & (mask - 1):
                return product
        mask >>= 1
        b = (b >> 1) ^ _POLY if b & 1 else b >> 1


def _powers() -> list[int]:
    """x^(2^n) modulo the polynomial, n = 0..31 (zlib's x2n_table)."""
    power, table = 1 << 30, []
    for _ in range(32):
        table.append(power)
        power = _multiply(power, power)
    return table


_X2N = _powers()


def length_shift(size: int) -> int:
    """x^(8·size) modulo the polynomial: what combining a CRC with `size` later bytes takes."""
    power, k = 1 << 31, 3
    while size:
        if size & 1:
            power = _multiply(_X2N[k & 31], power)
        size >>= 1
        k += 1
    return power


@dataclass(frozen=True)
class Piece:
    """A stored piece: its deflate data and what the trailer needs of its plain bytes."""

    deflated: bytes
    crc: int
    size: int
    shift: int

    @classmethod
    def of(cls, data: bytes) -> Piece:
        return cls(deflate_piece(data), zlib.crc32(data), len(data), length_shift(len(data)))


class GzipJoiner:
    """One gzip body from plain parts (compressed here) and stored pieces, in order."""

    def __init__(self) -> None:
        self.parts: list[bytes] = [GZIP_HEADER]
        self.crc = 0
        self.size = 0

    def add_plain(self, data: bytes) -> None:
        self.parts.append(deflate_piece(data))
        self.crc = zlib.crc32(data, self.crc)
        self.size += len(data)

    def add_piece(self, deflated: bytes, crc: int, size: int, shift: int) -> None:
        self.parts.append(deflated)
        if size:  # the product with a CRC of 0 (nothing before) is 0: no multiplication
            self.crc = (_multiply(shift, self.crc) if self.crc else 0) ^ crc
        self.size += size

    def add(self, piece: Piece) -> None:
        self.add_piece(piece.deflated, piece.crc, piece.size, piece.shift)

    def finish(self) -> bytes:
        trailer = struct.pack("<II", self.crc, self.size & 0xFFFFFFFF)
        return b"".join([*self.parts, FINAL_BLOCK, trailer])
