"""The MKV parser alone (pure logic): the sample cut at every chunk size gives the same fragments; unknown-size
clusters end at the next cluster or the body's end; hostile input (bad ids, huge sizes, unknown sizes where they are
not allowed, random corruption) only ever raises MkvError with an ack error id, never anything else."""

from __future__ import annotations

import random

import pytest

from gureum.services.kinesisvideo import mkv

from ._helpers import clusters


def _run(data: bytes, size: int) -> list[mkv.Cluster]:
    parser = mkv.Parser()
    events: list[mkv.Event] = []
    for offset in range(0, len(data), size):
        events += parser.feed(data[offset : offset + size])
    events += parser.finish()
    return [e.cluster for e in events if isinstance(e, mkv.Completed)]


def test_any_chunking_gives_the_same_fragments(sample_mkv: bytes) -> None:
    whole = _run(sample_mkv, len(sample_mkv))
    assert [(c.timecode, c.frames, c.first_key) for c in whole] == [(t, 10, True) for t in (0, 1000, 2000, 3000)]
    assert [c.duration_ns() for c in whole] == [1_000_000_000] * 4
    for size in (1, 7, 100, 4096):
        assert [bytes(c.blocks) for c in _run(sample_mkv, size)] == [bytes(c.blocks) for c in whole]


def test_unknown_size_clusters(sample_mkv: bytes) -> None:
    """As GStreamer's kvssink and the producer SDKs write them: each cluster's size unknown (all ones)."""
    found = clusters(sample_mkv)
    rewritten = bytearray(sample_mkv[: found[0][0]])
    for offset, head, size in found:
        rewritten += (
            b"\x1f\x43\xb6\x75\x01\xff\xff\xff\xff\xff\xff\xff" + sample_mkv[offset + head : offset + head + size]
        )
    parsed = _run(bytes(rewritten), 333)
    assert [c.timecode for c in parsed] == [0, 1000, 2000, 3000] and all(c.frames == 10 for c in parsed)


@pytest.mark.parametrize(
    "data, error_id",
    [
        (b"\x00\x00\x00\x00", mkv.ERR_INVALID_MKV),  # no valid EBML id
        (b"\x1a\x45\xdf\xa3\x01\x00\x00\x00\x7f\xff\xff\xff", mkv.ERR_INVALID_MKV),  # a 2 GB EBML header
        (b"\x1a\x45\xdf\xa3\x01\xff\xff\xff\xff\xff\xff\xff", mkv.ERR_INVALID_MKV),  # an EBML header of unknown size
        (b"\x18\x53\x80\x67\x01\xff\xff\xff\xff\xff\xff\xff", mkv.ERR_INVALID_MKV),  # a Segment before the header
    ],
)
def test_hostile_headers(data: bytes, error_id: int) -> None:
    with pytest.raises(mkv.MkvError) as caught:
        mkv.Parser().feed(data + b"\x00" * 64)
    assert caught.value.error_id == error_id


def test_oversized_cluster_is_4001(sample_mkv: bytes) -> None:
    offset, _, _ = clusters(sample_mkv)[0]
    huge = sample_mkv[:offset] + b"\x1f\x43\xb6\x75\x01\x00\x00\x00\x10\x00\x00\x00"  # a 256 MB cluster
    with pytest.raises(mkv.MkvError) as caught:
        mkv.Parser().feed(huge)
    assert caught.value.error_id == mkv.ERR_FRAGMENT_SIZE


def test_random_corruption_only_raises_mkv_errors(sample_mkv: bytes) -> None:
    chance = random.Random(25)
    for _ in range(300):
        data = bytearray(sample_mkv)
        for _ in range(chance.randint(1, 8)):
            data[chance.randrange(len(data))] = chance.randrange(256)
        cut = chance.randint(1, len(data))
        try:
            _run(bytes(data[:cut]), chance.choice((64, 1000, 65536)))
        except mkv.MkvError as error:
            assert 4000 <= error.error_id < 5000
