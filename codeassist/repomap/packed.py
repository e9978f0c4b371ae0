"""Containers that keep the stored graph serialised and decode only what is read.

A warm process loads the whole stored graph as one row, but a request reads
a small part of it: the definitions and incoming links of the few hundred
files that can reach the map, and the files defining the identifiers the
request names. Decoding everything (100k files: 9 M tags' worth of names)
would cost more than the ranking itself, so each part stays bytes until asked.

* :class:`Records`: one record per position, concatenated, with their
  bounds (and which are None); :class:`Decoded` decodes them.
* :class:`Table`: a dict in buckets chosen by a CRC of the key (stable
  across processes, unlike ``hash``), so a look-up decodes one small bucket;
  :class:`NameTable` reads one as the graph's ``definers`` and ``contribs``.

Each record and bucket carries a CRC-32 of its bytes, checked when it is
read: loading the row checks its shape only, so damage inside one of these
would otherwise surface (or worse, decode to other values) in the middle of
a ranking. A mismatch raises :class:`DamagedGraph`, which the map catches to
rebuild the graph from the index.
"""

from __future__ import annotations

import marshal
import zlib
from array import array
from collections.abc import Callable, Iterator, Mapping, Sequence
from itertools import accumulate
from typing import Any, Generic, TypeVar, overload

T = TypeVar("T")
_NAMES_PER_BUCKET = 32

Edge = tuple[int, int, float]  # (source file, target file, weight)


class DamagedGraph(ValueError):
    """A stored record or bucket whose bytes do not match their CRC: the stored graph must be rebuilt."""


def _checked(raw: bytes, crc: int) -> bytes:
    if zlib.crc32(raw) != crc:
        raise DamagedGraph("a stored graph record does not match its checksum")
    return raw


def pack(records: Sequence[bytes | None]) -> tuple[bytes, bytes, bytes, bytes]:
    """``records`` as (their concatenation, n+1 int64 bounds, one byte per record: 1 where it is None,
    a uint32 CRC-32 per record)."""
    bounds = array("q", [0, *accumulate(0 if r is None else len(r) for r in records)])
    missing = bytes(r is None for r in records)
    crcs = array("I", [0 if r is None else zlib.crc32(r) for r in records])
    return b"".join(r for r in records if r), bounds.tobytes(), missing, crcs.tobytes()


class Records(Sequence["bytes | None"]):
    """The records :func:`pack` joined, read back one at a time without decoding (None: no record)."""

    def __init__(self, data: bytes, bounds: bytes, missing: bytes, crcs: bytes) -> None:
        self._data = data
        self._bounds = array("q")
        self._bounds.frombytes(bounds)
        self._missing = missing
        self._crcs = array("I")
        self._crcs.frombytes(crcs)

    def __len__(self) -> int:
        return len(self._missing)

    def whole(self) -> bool:
        """Whether the bounds fit the records and account for exactly the bytes stored."""
        b = self._bounds
        n = len(self._missing)
        return len(b) == n + 1 and len(self._crcs) == n and b[0] == 0 and b[-1] == len(self._data)

    @overload
    def __getitem__(self, i: int) -> bytes | None: ...
    @overload
    def __getitem__(self, i: slice) -> Sequence[bytes | None]: ...
    def __getitem__(self, i: int | slice) -> bytes | None | Sequence[bytes | None]:
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(len(self)))]
        if self._missing[i]:  # IndexError past the end, as a sequence should
            return None
        i = i if i >= 0 else i + len(self)
        return _checked(self._data[self._bounds[i] : self._bounds[i + 1]], self._crcs[i])


class Decoded(Sequence[T], Generic[T]):
    """``records`` decoded by ``decode`` on first read and kept; a missing record reads as ``missing``."""

    def __init__(self, records: Sequence[bytes | None], decode: Callable[[bytes], T], missing: T) -> None:
        self._records = records
        self._decode = decode
        self._missing = missing
        self._decoded: dict[int, T] = {}

    def __len__(self) -> int:
        return len(self._records)

    @overload
    def __getitem__(self, i: int) -> T: ...
    @overload
    def __getitem__(self, i: slice) -> Sequence[T]: ...
    def __getitem__(self, i: int | slice) -> T | Sequence[T]:
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(len(self)))]
        if i < 0:
            i += len(self)
        if i in self._decoded:
            return self._decoded[i]
        raw = self._records[i]
        held = self._missing if raw is None else self._decode(raw)
        self._decoded[i] = held
        return held


def _bucket(name: str, count: int) -> int:
    return zlib.crc32(name.encode("utf-8", "surrogatepass")) % count


def pack_table(table: Mapping[str, Any]) -> tuple[bytes, ...]:
    """``table`` in CRC buckets of about :data:`_NAMES_PER_BUCKET` keys, each marshalled after
    the CRC-32 of its marshalled bytes (4 bytes, little-endian)."""
    count = max(1, len(table) // _NAMES_PER_BUCKET)
    buckets: list[dict[str, Any]] = [{} for _ in range(count)]
    for key, value in table.items():
        buckets[_bucket(key, count)][key] = value
    packed = (marshal.dumps(b) for b in buckets)
    return tuple(zlib.crc32(raw).to_bytes(4, "little") + raw for raw in packed)


class Table:
    """A table :func:`pack_table` stored: a look-up decodes the key's bucket only."""

    def __init__(self, buckets: Sequence[bytes]) -> None:
        if not buckets or not all(isinstance(b, bytes) for b in buckets):
            raise ValueError("no buckets")
        self._buckets = buckets
        self._decoded: dict[int, dict[str, Any]] = {}

    def _held(self, b: int) -> dict[str, Any]:
        held = self._decoded.get(b)
        if held is None:
            raw = self._buckets[b]
            held = marshal.loads(_checked(raw[4:], int.from_bytes(raw[:4], "little")))
            if not isinstance(held, dict):
                raise DamagedGraph("a stored graph bucket is not a table")
            self._decoded[b] = held
        return held

    def get(self, key: str) -> Any:
        """The value stored for ``key``, or None."""
        return self._held(_bucket(key, len(self._buckets))).get(key)

    def keys(self) -> Iterator[str]:
        for b in range(len(self._buckets)):
            yield from self._held(b)


def pack_names(
    definers: Mapping[str, tuple[int, ...]], contribs: Mapping[str, tuple[Edge, ...]]
) -> tuple[tuple[bytes, ...], tuple[str, ...]]:
    """Every identifier's definers and edges in CRC buckets, and the names in their original order."""
    return pack_table({name: (files, contribs.get(name)) for name, files in definers.items()}), tuple(contribs)


class NameTable:
    """The stored identifiers: :attr:`definers` and :attr:`contribs` read like the dicts they were."""

    def __init__(self, buckets: Sequence[bytes], names: int, linked: Sequence[str]) -> None:
        self._table = Table(buckets)
        self.count = names
        self.linked = linked  # names with edges, in the order the graph was built
        self.definers: Mapping[str, tuple[int, ...]] = _Definers(self)
        self.contribs: Mapping[str, tuple[Edge, ...]] = _Contribs(self)

    def entry(self, name: str) -> tuple[tuple[int, ...], tuple[Edge, ...] | None] | None:
        entry: tuple[tuple[int, ...], tuple[Edge, ...] | None] | None = self._table.get(name)
        return entry

    def all_names(self) -> Iterator[str]:
        return self._table.keys()


class _Definers(Mapping[str, tuple[int, ...]]):
    def __init__(self, table: NameTable) -> None:
        self._table = table

    def __getitem__(self, name: str) -> tuple[int, ...]:
        entry = self._table.entry(name) if isinstance(name, str) else None
        if entry is None:
            raise KeyError(name)
        return entry[0]

    def __iter__(self) -> Iterator[str]:
        return self._table.all_names()

    def __len__(self) -> int:
        return self._table.count


class _Contribs(Mapping[str, tuple[Edge, ...]]):
    def __init__(self, table: NameTable) -> None:
        self._table = table

    def __getitem__(self, name: str) -> tuple[Edge, ...]:
        entry = self._table.entry(name) if isinstance(name, str) else None
        if entry is None or entry[1] is None:
            raise KeyError(name)
        return entry[1]

    def __iter__(self) -> Iterator[str]:
        return iter(self._table.linked)

    def __len__(self) -> int:
        return len(self._table.linked)
