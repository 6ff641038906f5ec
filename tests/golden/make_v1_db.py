"""Make ``tests/golden/v1-timeline.db``: a timeline database of schema version 1.

Version 1 is the schema of migrations ``0001_event_log`` and ``0002_projection_tables``.
The file holds sixteen events of fourteen types, each with a fixed id and ``recorded_at``,
so every hash in it is the same on every run; the upgrade tests in
``tests/hardening/test_hardening_upgrade.py`` pin them. Run it once, with the code of the
version whose files it stands for, and commit the result:

    python tests/golden/make_v1_db.py                # writes tests/golden/v1-timeline.db
    python tests/golden/make_v1_db.py /tmp/other.db  # writes elsewhere (the tests do this)

Never regenerate the committed file with a later version: it is the sample of what
version 1 wrote, which later versions must keep opening.
"""

from __future__ import annotations

import sqlite3
import sys
from pathlib import Path
from typing import Any

from timeline import service
from timeline.db import open_db

OUT = Path(__file__).with_name("v1-timeline.db")

VISIT = "2024-04-24-antony-blinken-visits-china"
TALKS = "2024-04-26-wang-yi-holds-talks-with-antony-blinken"
MEETING = "2024-04-26-xi-jinping-meets-antony-blinken"
CONSENSUS = "2024-04-26-five-point-consensus"
DIALOGUE = "china-us-ai-dialogue"
MARITIME = "china-us-maritime-consultations"
DUPLICATE = "2024-04-26-duplicate-entry"

BLINKEN = {"name": "Antony Blinken", "role": "Secretary of State", "country": "US"}
WANG_YI = {"name": "Wang Yi", "role": "Minister of Foreign Affairs", "country": "CN"}
XI = {"name": "Xi Jinping", "role": "President", "country": "CN"}

# (type, data, meta): the log in order.
EVENTS: list[tuple[str, dict[str, Any], dict[str, Any]]] = [
    (
        "ActorDescribed",
        {
            "name": "Wang Yi",
            "native_name": "王毅",
            "kind": "person",
            "country": "CN",
            "roles": [
                {"title": "Minister of Foreign Affairs", "organization": "MFA", "from": "2022-12"}
            ],
        },
        {"recorded_by": "ana"},
    ),
    (
        "VisitMade",
        {
            "development": VISIT,
            "title": "Antony Blinken visits China",
            "when": "2024-04-24/2024-04-26",
            "visitor": "Antony Blinken",
            "host_country": "CN",
            "place": {"city": "Beijing", "country": "CN", "lat": 39.9042, "lon": 116.4074},
            "tags": ["china-us"],
        },
        {},
    ),
    (
        "TalksHeld",
        {
            "development": TALKS,
            "title": "Wang Yi holds talks with Antony Blinken",
            "when": "2024-04-26",
            "timezone": "Asia/Shanghai",
            "summary": "Five and a half hours of talks at the Diaoyutai State Guesthouse.",
            "place": {"name": "Diaoyutai State Guesthouse", "city": "Beijing", "country": "CN"},
            "participants": [WANG_YI, BLINKEN],
            "sources": [
                {
                    "url": "https://www.mfa.gov.cn/eng/",
                    "title": "Wang Yi holds talks with Antony Blinken",
                    "publisher": "MFA",
                    "published": "2024-04-26",
                }
            ],
            "tags": ["china-us", "talks"],
            "part_of": VISIT,
        },
        {"note": "from the MFA readout"},
    ),
    (
        "MeetingHeld",
        {
            "development": MEETING,
            "title": "Xi Jinping meets Antony Blinken",
            "when": "2024-04-26T16:30+08:00",
            "place": {"name": "Great Hall of the People", "city": "Beijing", "country": "CN"},
            "participants": [XI, BLINKEN],
            "part_of": VISIT,
        },
        {},
    ),
    (
        "AgreementReached",
        {
            "development": CONSENSUS,
            "title": "China and the U.S. reach a five-point consensus",
            "when": "2024-04-26",
            "points": ["Maintain high-level exchanges", "Expand people-to-people exchanges"],
            "parties": ["CN", "US"],
        },
        {},
    ),
    (
        "StatementMade",
        {
            "development": "2024-04-26-xi-jinping-on-partners",
            "title": "Xi Jinping: the two countries should be partners, not rivals",
            "when": "2024-04-26",
            "speaker": "Xi Jinping",
            "quote": "China and the United States should be partners rather than rivals.",
        },
        {},
    ),
    (
        "CallHeld",
        {
            "development": "2024-04-02-biden-xi-call",
            "title": "Joe Biden and Xi Jinping speak by phone",
            "when": "2024-04-02",
            "participants": [
                {"name": "Joe Biden", "role": "President", "country": "US"},
                XI,
            ],
        },
        {},
    ),
    (
        "DevelopmentScheduled",
        {
            "development": DIALOGUE,
            "title": "First China-U.S. intergovernmental dialogue on AI",
            "kind": "dialogue",
            "when": "2024-05~",
            "announced_in": CONSENSUS,
        },
        {},
    ),
    (
        "DevelopmentPostponed",
        {"development": DIALOGUE, "reason": "agenda not agreed"},
        {},
    ),
    (
        "DevelopmentHeld",
        {
            "development": DIALOGUE,
            "when": "2024-05-14",
            "place": {"city": "Geneva", "country": "CH"},
        },
        {},
    ),
    (
        "DevelopmentRevised",
        {
            "development": MEETING,
            "changes": {"summary": "At the Great Hall of the People, at the end of the visit."},
            "reason": "summary added",
        },
        {"recorded_by": "bo"},
    ),
    (
        "DevelopmentScheduled",
        {
            "development": MARITIME,
            "title": "New rounds of China-U.S. consultations on maritime issues",
            "kind": "consultation",
            "when": "2024",
        },
        {},
    ),
    (
        "DevelopmentCancelled",
        {"development": MARITIME, "reason": "called off by both sides"},
        {},
    ),
    (
        "DevelopmentsLinked",
        {"from": CONSENSUS, "to": TALKS, "relation": "follows_up"},
        {},
    ),
    (
        "MeetingHeld",
        {
            "development": DUPLICATE,
            "title": "Xi Jinping meets Antony Blinken (entered twice)",
            "when": "2024-04-26",
            "participants": [XI, BLINKEN],
        },
        {},
    ),
    (
        "DevelopmentRetracted",
        {"development": DUPLICATE, "reason": "recorded twice"},
        {},
    ),
]


def event_id(seq: int) -> str:
    """The fixed id of the event at *seq*."""
    return f"00000000-0000-4000-8000-{seq:012d}"


def recorded_at(seq: int) -> str:
    """The fixed time at which the event at *seq* was recorded."""
    return f"2024-05-01T08:{seq:02d}:00.000000Z"


def make(path: Path) -> None:
    """Write the version-1 database to *path*, replacing any file there."""
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    db = open_db(path)
    submissions = [
        service.parse_submission(
            {
                "id": event_id(seq),
                "type": type_,
                "data": data,
                "meta": meta,
                "recorded_at": recorded_at(seq),
            }
        )
        for seq, (type_, data, meta) in enumerate(EVENTS, start=1)
    ]
    service.append(db, submissions)
    db.close()
    plain = sqlite3.connect(path, isolation_level=None)
    try:
        # The migration steps record when they ran; a fixed time makes the file the same
        # on every run, so a regenerated file shows up as a change only if it is one.
        plain.execute("UPDATE _sqlite_migrations SET applied_at = '2024-05-01 08:00:00+00:00'")
        plain.execute("VACUUM")
    finally:
        plain.close()


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else OUT
    make(target)
    print(f"wrote {target}")
