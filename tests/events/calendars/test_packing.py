"""Gzip bodies joined from pieces compressed apart are ordinary gzip files, and their CRC-32
is the CRC-32 of the whole (events/calendars/packing.py)."""

import gzip
import random
import zlib

import pytest

from events.calendars.packing import GzipJoiner, Piece, length_shift


def _parts(seed: int) -> list[bytes]:
    chance = random.Random(seed)
    parts = []
    for index in range(40):
        if index % 4 == 0:
            parts.append(b"")  # an empty month or head
        elif index % 4 == 1:
            parts.append(chance.randbytes(chance.randint(1, 5000)))  # does not compress
        else:
            line = f"SUMMARY;LANGUAGE=fi:Tapahtuma {index} – työkyky\r\n".encode()
            parts.append(line * chance.randint(1, 300))
    return parts


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_stored_and_plain_parts_join_into_one_gzip_member(seed):
    parts = _parts(seed)
    joiner = GzipJoiner()
    for index, part in enumerate(parts):
        if index % 3:
            piece = Piece.of(part)
            joiner.add_piece(piece.deflated, piece.crc, piece.size, piece.shift)
        else:
            joiner.add_plain(part)
    body = joiner.finish()
    whole = b"".join(parts)
    assert gzip.decompress(body) == whole
    reader = zlib.decompressobj(16 + zlib.MAX_WBITS)  # as curl and browsers read it
    assert reader.decompress(body) == whole and reader.eof and not reader.unused_data
    assert int.from_bytes(body[-8:-4], "little") == zlib.crc32(whole)
    assert int.from_bytes(body[-4:], "little") == len(whole)


def test_a_piece_is_the_same_bytes_whenever_it_is_made():
    text = b"BEGIN:VEVENT\r\nSUMMARY:Kohtaamo\r\nEND:VEVENT\r\n" * 50
    assert Piece.of(text) == Piece.of(text)
    joined_here, joined_from_pieces = GzipJoiner(), GzipJoiner()
    joined_here.add_plain(text)
    piece = Piece.of(text)
    joined_from_pieces.add_piece(piece.deflated, piece.crc, piece.size, piece.shift)
    assert joined_here.finish() == joined_from_pieces.finish()


@pytest.mark.parametrize("size", [0, 1, 7, 8, 255, 65_536, 10_000_019])
def test_the_length_factor_combines_as_zlib_would(size):
    # crc32(a + b) from crc32(a), crc32(b) and b's length: zlib's crc32_combine.
    head = b"kohtaamo"
    tail = bytes(size)
    joiner = GzipJoiner()
    joiner.add_plain(head)
    joiner.add_piece(b"", zlib.crc32(tail), size, length_shift(size))
    assert joiner.crc == zlib.crc32(head + tail)
