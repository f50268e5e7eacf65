"""Sequence numbers as AWS writes them: 56-digit decimal strings that grow within a shard and encode it.

The layout (hexadecimal, 47 digits, the one kinesalite decoded from AWS's numbers): "2", the shard's creation time
(9 digits, epoch seconds), the shard index's last digit, the record's index in the shard (16), "00", the record's
arrival time (9, epoch seconds), the shard index (8), "2". Within a shard the record index decides the order; a
child shard is created after its parents closed, so its numbers are larger than theirs. Decoding gives the shard and
the position back, so AT_/AFTER_SEQUENCE_NUMBER work across restarts without any lookup table.
"""

from __future__ import annotations

from dataclasses import dataclass

CLOSING_INDEX = 0x7FFF_FFFF_FFFF_FFFF  # the record index of a closed shard's EndingSequenceNumber
_HEX_DIGITS = 47


@dataclass(frozen=True, slots=True)
class Sequence:
    created: int  # the shard's creation time, epoch seconds
    shard: int  # the shard's index (shardId-<index>)
    index: int  # the record's position in the shard (0: before the first record)
    at: int  # the record's arrival time, epoch seconds


def encode(created: int, shard: int, index: int, at: int) -> str:
    return str(shard_bits(created, shard) | (index << 80) | (at << 36))


def shard_bits(created: int, shard: int) -> int:
    """What a shard's sequence numbers share: encode(created, shard, index, at) is
    str(shard_bits(created, shard) | index << 80 | at << 36)."""
    # the hexadecimal digits above as bit fields, low to high: 2 (4 bits), shard (32), arrival (36), 00 (8), record
    # index (64), the shard's last hex digit (4), creation (36), 2 (4)
    return (2 << 184) | (created << 148) | ((shard & 0xF) << 144) | (shard << 4) | 2


def starting(created: int, shard: int) -> str:
    """A shard's StartingSequenceNumber: below every record it holds."""
    return encode(created, shard, 0, created)


def ending(created: int, shard: int, closed: int) -> str:
    """A closed shard's EndingSequenceNumber: above every record it holds."""
    return encode(created, shard, CLOSING_INDEX, closed)


_OLD_FORMAT = 1 << 124  # numbers below it are read in AWS's first layout, whose last 4 hex digits name the shard


def decode(text: str) -> Sequence | None:
    """The parts of a sequence number; None when it is not one this layout makes. A small number is read as AWS
    reads one of its first layout: it names a shard (its last 16 bits) but no stream of today (``created`` -1)."""
    if not text.isdigit() or len(text) > 64:
        return None
    number = int(text)
    if number < _OLD_FORMAT:
        return Sequence(-1, number & 0xFFFF, 0, 0)
    hexa = f"{number:x}"
    if len(hexa) != _HEX_DIGITS or hexa[0] != "2" or hexa[-1] != "2":
        return None
    index_hex, shard_hex = hexa[11:27], hexa[38:46]
    if int(index_hex[0], 16) > 7 or int(shard_hex[0], 16) > 7:
        return None
    return Sequence(int(hexa[1:10], 16), int(shard_hex, 16), int(index_hex, 16), int(hexa[29:38], 16))
