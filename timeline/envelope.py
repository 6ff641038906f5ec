"""The stored record of one event: the row of the `events` table, as a value."""

from __future__ import annotations

import json
from typing import Any

import attrs


@attrs.frozen
class Envelope:
    """One row of the log: an event's payload with its position, stream, time and hash."""

    seq: int
    id: str
    stream: str
    stream_version: int
    type: str
    schema_version: int
    recorded_at: str
    """UTC instant from the log's clock, ISO 8601 with microseconds and ``Z``."""
    data: dict[str, Any]
    meta: dict[str, Any]
    hash: str
    data_json: str | None = attrs.field(default=None, eq=False, repr=False)
    """The stored text of ``data`` (canonical JSON), when at hand."""

    COLUMNS = (
        "seq",
        "id",
        "type",
        "schema_version",
        "stream",
        "stream_version",
        "recorded_at",
        "data",
        "meta",
        "hash",
    )

    @classmethod
    def from_row(cls, row: tuple) -> Envelope:
        """Build from a ``SELECT`` of :attr:`COLUMNS`, in that order."""
        seq, id_, type_, version, stream, stream_version, recorded_at, data, meta, hash_ = row
        return cls(
            seq=seq,
            id=id_,
            stream=stream,
            stream_version=stream_version,
            type=type_,
            schema_version=version,
            recorded_at=recorded_at,
            data=json.loads(data),
            meta={} if meta == "{}" else json.loads(meta),  # most events' meta
            hash=hash_,
            data_json=data,
        )

    def hashed_fields(self) -> dict[str, Any]:
        """Everything the hash covers: the whole row but the hash itself."""
        return {
            "seq": self.seq,
            "id": self.id,
            "type": self.type,
            "schema_version": self.schema_version,
            "stream": self.stream,
            "stream_version": self.stream_version,
            "recorded_at": self.recorded_at,
            "data": self.data,
            "meta": self.meta,
        }

    def to_json(self) -> dict[str, Any]:
        """The JSON object `timeline log --json` prints, which `timeline import` takes back."""
        return {**self.hashed_fields(), "hash": self.hash}
