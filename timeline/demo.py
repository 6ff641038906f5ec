"""The sample timeline `timeline demo` builds: the seed article and the Historian's record.

Our seed sample (Blinken's April 2024 visit to Beijing, from one article) and the Office
of the Historian's record of every trip of Secretary Blinken both hold that visit, with
different end dates. The demo imports both and merges the Historian's trip into the
seed's visit, so the first thing a reader sees is a development with both sources and the
disputed end date. Building it again adds nothing, and a merge undone in the demo
database (`timeline unmerge`) is not made again.
"""

from __future__ import annotations

from importlib.resources import files

import attrs

from timeline import importers, service
from timeline.db import Database
from timeline.events.lifecycle import DevelopmentsMerged
from timeline.log import EventLog

TRAVELS = "blinken-antony-j.xml"
"""The Historian's travels of Secretary Blinken (``secretary-travels/blinken-antony-j.xml``)."""
TRAVELS_FORMAT = "hsg-travels"
KEPT = "2024-04-24-antony-blinken-visits-china"
"""The seed sample's visit, which the demo keeps."""
DUPLICATE = "hsg-trip-4229"
"""The Historian's record of the same visit, merged into :data:`KEPT`."""
REASON = "the Office of the Historian's record of the same visit"


@attrs.frozen
class Demo:
    """What building the demo did."""

    sample: service.Outcome
    travels: importers.sync.Report
    merged: bool
    """Whether this build merged the Historian's trip into the seed's visit."""


def build_demo(db: Database) -> Demo:
    """Import the seed sample and the Historian's travels, then merge the April 2024 visit
    (each step only once, however often the demo is built)."""
    sample = service.import_sample(db)
    with files("timeline").joinpath("sample", TRAVELS).open("rb") as stream:
        plan = importers.prepare(db, stream, name=TRAVELS, format=TRAVELS_FORMAT)
    travels = importers.apply(db, plan)
    merges = EventLog(db).read(types=(DevelopmentsMerged.TYPE,))
    merged = not any(envelope.data["duplicate"] == DUPLICATE for envelope in merges)
    if merged:
        data = {"development": KEPT, "duplicate": DUPLICATE, "reason": REASON}
        service.append_one(db, service.submit(DevelopmentsMerged.TYPE, data))
    return Demo(sample, travels, merged)
