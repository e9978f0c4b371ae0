"""The stored graph's serialised parts read back like the tuples and dicts they were."""

from __future__ import annotations

import marshal

import pytest

from codeassist.repomap.packed import Decoded, NameTable, Records, Table, pack, pack_names, pack_table


def test_records_round_trip_with_gaps() -> None:
    records = [b"one", None, b"", b"three", None]
    stored = Records(*pack(records))
    assert stored.whole()
    assert list(stored) == records
    assert stored[-2] == b"three" and stored[1:4] == [None, b"", b"three"]
    with pytest.raises(IndexError):
        stored[5]
    data, bounds, missing, crcs = pack(records)
    assert not Records(data[:-1], bounds, missing, crcs).whole()  # bounds that overrun the bytes
    assert not Records(data, bounds, missing[:-1], crcs).whole()
    assert not Records(data, bounds, missing, crcs[:-4]).whole()


def test_decoded_keeps_what_it_decoded() -> None:
    calls: list[bytes] = []

    def decode(raw: bytes) -> tuple[int, ...]:
        calls.append(raw)
        return tuple(marshal.loads(raw))

    seq = Decoded(Records(*pack([marshal.dumps((1, 2)), None])), decode, ())
    assert seq[0] == (1, 2) and seq[0] == (1, 2) and seq[1] == () and seq[-2] == (1, 2)
    assert len(calls) == 1 and len(seq) == 2


def test_tables_and_names_read_like_dicts() -> None:
    table = {f"name{i}": (i, i + 1) for i in range(200)}
    stored = Table(pack_table(table))
    assert all(stored.get(k) == v for k, v in table.items())
    assert stored.get("absent") is None and sorted(stored.keys()) == sorted(table)
    with pytest.raises(ValueError):
        Table(())

    definers = {"parse_config": (0, 2), "Router": (1,), "_private": (3,)}
    contribs = {"parse_config": ((1, 0, 0.5), (1, 2, 0.5)), "Router": ((0, 1, 2.0),)}
    buckets, linked = pack_names(definers, contribs)
    names = NameTable(buckets, len(definers), linked)
    assert dict(names.definers) == definers and len(names.definers) == 3
    assert dict(names.contribs) == contribs and list(names.contribs) == list(contribs)
    assert "_private" in names.definers and "_private" not in names.contribs
    assert names.definers.get("missing", ()) == () and names.contribs.get("_private") is None
