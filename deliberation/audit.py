"""The audit trail's chain: each entry's hash covers its own fields and the hash before it, so an
entry edited, removed or inserted later breaks every hash from that point on."""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any, Iterable, Mapping

GENESIS = "0" * 64


def entry_hash(previous: str, fields: Mapping[str, Any]) -> str:
    """sha256 over the previous hash and the entry's fields in one canonical JSON form."""
    canonical = json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=True, default=str)
    return hashlib.sha256(f"{previous}\n{canonical}".encode()).hexdigest()


@dataclass(frozen=True)
class Stored:
    seq: int
    fields: Mapping[str, Any]
    previous: str
    hash: str


@dataclass(frozen=True)
class ChainCheck:
    entries: int
    broken_at: int | None  # the first entry whose hash or link does not hold
    reason: str

    @property
    def intact(self) -> bool:
        return self.broken_at is None


def check_chain(entries: Iterable[Stored]) -> ChainCheck:
    """Walk the entries in order; say where, if anywhere, the chain stops holding and why."""
    previous, count, expected_seq = GENESIS, 0, 1
    for entry in entries:
        count += 1
        if entry.seq != expected_seq:
            return ChainCheck(count, entry.seq, f"Entry {expected_seq} is missing: the next one is {entry.seq}.")
        if entry.previous != previous:
            return ChainCheck(count, entry.seq, f"Entry {entry.seq} does not follow the entry before it.")
        if entry_hash(previous, entry.fields) != entry.hash:
            return ChainCheck(count, entry.seq, f"Entry {entry.seq} was changed after it was written.")
        previous, expected_seq = entry.hash, expected_seq + 1
    return ChainCheck(count, None, f"All {count} entries hold together." if count else "No entries yet.")
