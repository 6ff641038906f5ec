"""Deterministic synthetic diplomatic developments, as JSON Lines events for `timeline import`.

    python benchmarks/generate.py 30000 > events.jsonl
    python benchmarks/generate.py 30000 --seed 1 -o events.jsonl

or, from Python::

    from generate import generate
    for event in generate(1000, seed=0):
        ...

"N developments" means N creating events (MeetingHeld, TalksHeld, SummitHeld, CallHeld,
VisitMade, AgreementReached, StatementMade, DevelopmentScheduled) plus the lifecycle events
that follow some of them: about one in ten is revised (DevelopmentRevised), and scheduled
ones are often held, sometimes postponed (with or without a new date) or cancelled. The
lifecycle events come a little later in the file than the development they are about, as in
a real feed. Every event carries an ``id`` drawn from the seeded generator, so the same
``n`` and ``seed`` give byte-identical output. Standard library only.
"""

from __future__ import annotations

import argparse
import datetime as dt
import heapq
import json
import random
import re
import sys
import unicodedata
import uuid
import zoneinfo
from collections.abc import Iterator
from typing import Any

# --- reference data -------------------------------------------------------------------------

# (name, role, country or None)
PEOPLE: tuple[tuple[str, str, str | None], ...] = (
    ("Xi Jinping", "President", "CN"),
    ("Wang Yi", "Minister of Foreign Affairs", "CN"),
    ("Li Qiang", "Premier", "CN"),
    ("Joe Biden", "President", "US"),
    ("Antony Blinken", "Secretary of State", "US"),
    ("Jake Sullivan", "National Security Advisor", "US"),
    ("Janet Yellen", "Secretary of the Treasury", "US"),
    ("Vladimir Putin", "President", "RU"),
    ("Sergei Lavrov", "Minister of Foreign Affairs", "RU"),
    ("Emmanuel Macron", "President", "FR"),
    ("Stéphane Séjourné", "Minister for Europe and Foreign Affairs", "FR"),
    ("Olaf Scholz", "Chancellor", "DE"),
    ("Annalena Baerbock", "Federal Foreign Minister", "DE"),
    ("Narendra Modi", "Prime Minister", "IN"),
    ("Subrahmanyam Jaishankar", "Minister of External Affairs", "IN"),
    ("Fumio Kishida", "Prime Minister", "JP"),
    ("Yoko Kamikawa", "Minister for Foreign Affairs", "JP"),
    ("Yoon Suk Yeol", "President", "KR"),
    ("Cho Tae-yul", "Minister of Foreign Affairs", "KR"),
    ("Recep Tayyip Erdoğan", "President", "TR"),
    ("Hakan Fidan", "Minister of Foreign Affairs", "TR"),
    ("Luiz Inácio Lula da Silva", "President", "BR"),
    ("Mauro Vieira", "Minister of Foreign Affairs", "BR"),
    ("Cyril Ramaphosa", "President", "ZA"),
    ("Naledi Pandor", "Minister of International Relations", "ZA"),
    ("David Cameron", "Foreign Secretary", "GB"),
    ("Rishi Sunak", "Prime Minister", "GB"),
    ("Penny Wong", "Minister for Foreign Affairs", "AU"),
    ("Anthony Albanese", "Prime Minister", "AU"),
    ("Mélanie Joly", "Minister of Foreign Affairs", "CA"),
    ("Justin Trudeau", "Prime Minister", "CA"),
    ("Retno Marsudi", "Minister of Foreign Affairs", "ID"),
    ("Joko Widodo", "President", "ID"),
    ("Faisal bin Farhan Al Saud", "Minister of Foreign Affairs", "SA"),
    ("Mohammed bin Salman", "Crown Prince and Prime Minister", "SA"),
    ("Abdullah bin Zayed Al Nahyan", "Minister of Foreign Affairs", "AE"),
    ("Sameh Shoukry", "Minister of Foreign Affairs", "EG"),
    ("Volodymyr Zelensky", "President", "UA"),
    ("Dmytro Kuleba", "Minister of Foreign Affairs", "UA"),
    ("Giorgia Meloni", "Prime Minister", "IT"),
    ("Antonio Tajani", "Minister of Foreign Affairs", "IT"),
    ("Pedro Sánchez", "Prime Minister", "ES"),
    ("José Manuel Albares", "Minister of Foreign Affairs", "ES"),
    ("Alicia Bárcena", "Secretary of Foreign Affairs", "MX"),
    ("Ferdinand Marcos Jr.", "President", "PH"),
    ("Enrique Manalo", "Secretary of Foreign Affairs", "PH"),
    ("Vivian Balakrishnan", "Minister for Foreign Affairs", "SG"),
    ("Bui Thanh Son", "Minister of Foreign Affairs", "VN"),
    ("Ishaq Dar", "Deputy Prime Minister and Foreign Minister", "PK"),
    ("Abiy Ahmed", "Prime Minister", "ET"),
    ("William Ruto", "President", "KE"),
    ("Bola Tinubu", "President", "NG"),
    ("Ayman Safadi", "Minister of Foreign Affairs", "JO"),
    ("Mohammed bin Abdulrahman Al Thani", "Prime Minister and Foreign Minister", "QA"),
    ("Ursula von der Leyen", "President of the European Commission", None),
    ("Josep Borrell", "EU High Representative", None),
    ("António Guterres", "UN Secretary-General", None),
    ("Jens Stoltenberg", "NATO Secretary General", None),
    ("Rafael Grossi", "IAEA Director General", None),
)


def _offset_on(zone: str, date: dt.date, time: str) -> str:
    """The zone's UTC offset at that wall time (summer time included), as ``+HH:MM``."""
    wall = dt.datetime.fromisoformat(f"{date.isoformat()}T{time}")
    offset = wall.replace(tzinfo=zoneinfo.ZoneInfo(zone)).strftime("%z")
    return f"{offset[:3]}:{offset[3:]}"


# (venue or None, city, country, lat, lon, IANA zone, usual UTC offset)
PLACES: tuple[tuple[str | None, str, str, float, float, str, str], ...] = (
    ("Great Hall of the People", "Beijing", "CN", 39.9042, 116.3974, "Asia/Shanghai", "+08:00"),
    ("Diaoyutai State Guesthouse", "Beijing", "CN", 39.9219, 116.3096, "Asia/Shanghai", "+08:00"),
    ("White House", "Washington", "US", 38.8977, -77.0365, "America/New_York", "-05:00"),
    (
        "Harry S Truman Building",
        "Washington",
        "US",
        38.8945,
        -77.0481,
        "America/New_York",
        "-05:00",
    ),
    ("Kremlin", "Moscow", "RU", 55.7520, 37.6175, "Europe/Moscow", "+03:00"),
    ("Élysée Palace", "Paris", "FR", 48.8704, 2.3167, "Europe/Paris", "+01:00"),
    ("Federal Chancellery", "Berlin", "DE", 52.5202, 13.3692, "Europe/Berlin", "+01:00"),
    ("Palais des Nations", "Geneva", "CH", 46.2266, 6.1405, "Europe/Zurich", "+01:00"),
    (
        "United Nations Headquarters",
        "New York",
        "US",
        40.7489,
        -73.968,
        "America/New_York",
        "-05:00",
    ),
    ("Hyderabad House", "New Delhi", "IN", 28.6129, 77.2295, "Asia/Kolkata", "+05:30"),
    ("Kantei", "Tokyo", "JP", 35.6735, 139.7427, "Asia/Tokyo", "+09:00"),
    ("Presidential Office", "Seoul", "KR", 37.5326, 126.9752, "Asia/Seoul", "+09:00"),
    ("Dolmabahçe Palace", "Istanbul", "TR", 41.0391, 29.0005, "Europe/Istanbul", "+03:00"),
    ("Itamaraty Palace", "Brasília", "BR", -15.8013, -47.8677, "America/Sao_Paulo", "-03:00"),
    ("Union Buildings", "Pretoria", "ZA", -25.7402, 28.2117, "Africa/Johannesburg", "+02:00"),
    ("Lancaster House", "London", "GB", 51.504, -0.1387, "Europe/London", "Z"),
    ("Parliament House", "Canberra", "AU", -35.3081, 149.1245, "Australia/Sydney", "+10:00"),
    ("Gedung Pancasila", "Jakarta", "ID", -6.1752, 106.8317, "Asia/Jakarta", "+07:00"),
    ("Al Yamamah Palace", "Riyadh", "SA", 24.68, 46.63, "Asia/Riyadh", "+03:00"),
    ("Qasr Al Watan", "Abu Dhabi", "AE", 24.4622, 54.317, "Asia/Dubai", "+04:00"),
    ("Mariinskyi Palace", "Kyiv", "UA", 50.448, 30.5374, "Europe/Kyiv", "+02:00"),
    ("Palazzo Chigi", "Rome", "IT", 41.901, 12.4797, "Europe/Rome", "+01:00"),
    ("Palacio de la Moncloa", "Madrid", "ES", 40.4434, -3.7366, "Europe/Madrid", "+01:00"),
    ("Palacio Nacional", "Mexico City", "MX", 19.4326, -99.1332, "America/Mexico_City", "-06:00"),
    ("Malacañang Palace", "Manila", "PH", 14.5943, 120.9942, "Asia/Manila", "+08:00"),
    ("Istana", "Singapore", "SG", 1.3072, 103.843, "Asia/Singapore", "+08:00"),
    (None, "Hanoi", "VN", 21.0285, 105.8542, "Asia/Ho_Chi_Minh", "+07:00"),
    ("Aiwan-e-Sadr", "Islamabad", "PK", 33.7294, 73.0931, "Asia/Karachi", "+05:00"),
    (
        "African Union Commission",
        "Addis Ababa",
        "ET",
        9.0084,
        38.7575,
        "Africa/Addis_Ababa",
        "+03:00",
    ),
    ("State House", "Nairobi", "KE", -1.2741, 36.807, "Africa/Nairobi", "+03:00"),
    (None, "Doha", "QA", 25.2854, 51.531, "Asia/Qatar", "+03:00"),
    ("Hofburg", "Vienna", "AT", 48.2066, 16.3655, "Europe/Vienna", "+01:00"),
    ("Europa building", "Brussels", "BE", 50.842, 4.3826, "Europe/Brussels", "+01:00"),
    ("NATO Headquarters", "Brussels", "BE", 50.8797, 4.4253, "Europe/Brussels", "+01:00"),
    ("Nusa Dua Convention Center", "Nusa Dua", "ID", -8.8027, 115.2305, "Asia/Makassar", "+08:00"),
    ("Filoli Estate", "Woodside", "US", 37.4707, -122.3101, "America/Los_Angeles", "-08:00"),
    (None, "Amman", "JO", 31.9539, 35.9106, "Asia/Amman", "+03:00"),
    (None, "Cairo", "EG", 30.0444, 31.2357, "Africa/Cairo", "+02:00"),
)

COUNTRY_NAMES = {
    "CN": "China", "US": "United States", "RU": "Russia", "FR": "France", "DE": "Germany",
    "IN": "India", "JP": "Japan", "KR": "South Korea", "TR": "Türkiye", "BR": "Brazil",
    "ZA": "South Africa", "GB": "United Kingdom", "AU": "Australia", "CA": "Canada",
    "ID": "Indonesia", "SA": "Saudi Arabia", "AE": "United Arab Emirates", "EG": "Egypt",
    "UA": "Ukraine", "IT": "Italy", "ES": "Spain", "MX": "Mexico", "PH": "Philippines",
    "SG": "Singapore", "VN": "Viet Nam", "PK": "Pakistan", "ET": "Ethiopia", "KE": "Kenya",
    "NG": "Nigeria", "JO": "Jordan", "QA": "Qatar", "CH": "Switzerland", "AT": "Austria",
    "BE": "Belgium",
}  # fmt: skip

TOPICS = (
    "strategic stability",
    "trade and investment",
    "climate change",
    "maritime issues",
    "the war in Ukraine",
    "a ceasefire in Gaza",
    "nuclear non-proliferation",
    "counter-narcotics cooperation",
    "military-to-military communication",
    "artificial intelligence",
    "food security",
    "critical minerals",
    "debt relief",
    "energy security",
    "visa facilitation",
)

SUMMITS = ("G20", "BRICS", "ASEAN", "APEC", "NATO", "G7", "SCO", "EU-China", "African Union")

TAGS = (
    "bilateral",
    "multilateral",
    "security",
    "trade",
    "climate",
    "energy",
    "technology",
    "human rights",
    "Ukraine",
    "Middle East",
    "Indo-Pacific",
    "Africa",
    "nuclear",
    "health",
    "migration",
    "sanctions",
)

PUBLISHERS = (
    (
        "Ministry of Foreign Affairs of the People's Republic of China",
        "https://www.fmprc.gov.cn/eng/xw/zxxx/",
    ),
    ("U.S. Department of State", "https://www.state.gov/"),
    ("Reuters", "https://www.reuters.com/world/"),
    ("Xinhua", "https://english.news.cn/"),
    ("President of Russia", "http://en.kremlin.ru/events/president/news/"),
    ("Ministry of External Affairs, India", "https://www.mea.gov.in/bilateral-documents.htm?dtl="),
    ("Associated Press", "https://apnews.com/article/"),
    ("Élysée", "https://www.elysee.fr/en/emmanuel-macron/"),
    ("Federal Foreign Office", "https://www.auswaertiges-amt.de/en/newsroom/news/"),
    ("NHK World", "https://www3.nhk.or.jp/nhkworld/en/news/"),
)

POINTS = (
    "Resume regular high-level communication between the two governments.",
    "Establish a working group on {topic} that meets every quarter.",
    "Expand direct flights and people-to-people exchanges.",
    "Cooperate on {topic} in the relevant multilateral fora.",
    "Hold the next round of consultations within six months.",
    "Exchange information on {topic} through existing channels.",
    "Support a negotiated and lasting political settlement.",
    "Facilitate trade and reduce non-tariff barriers.",
)

REVISION_REASONS = (
    "the ministry corrected the date in a later readout",
    "title misspelled a participant's name",
    "added the official readout as a source",
    "the venue was reported wrongly at first",
    "summary expanded from the joint statement",
    "tags aligned with the editorial guidelines",
)

SCHEDULED_KINDS = (
    "meeting",
    "talks",
    "summit",
    "call",
    "visit",
    "dialogue",
    "consultation",
    "other",
)

# The share of each creating kind, in percent.
KIND_WEIGHTS = (
    ("MeetingHeld", 25),
    ("CallHeld", 12),
    ("TalksHeld", 12),
    ("VisitMade", 12),
    ("StatementMade", 14),
    ("AgreementReached", 7),
    ("SummitHeld", 5),
    ("DevelopmentScheduled", 13),
)

FIRST_DAY = dt.date(2015, 1, 1).toordinal()
LAST_DAY = dt.date(2025, 12, 31).toordinal()

_NON_ALNUM = re.compile(r"[^a-z0-9]+")


def slug(text: str, max_len: int = 80) -> str:
    """Lowercase ASCII words joined by hyphens, accents folded, cut at a word boundary."""
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    out = _NON_ALNUM.sub("-", folded.lower()).strip("-")
    if len(out) > max_len:
        out = out[:max_len].rsplit("-", 1)[0] or out[:max_len]
    return out


def plain_slug(text: str) -> str | None:
    """The slug of a title whose made id is beyond doubt: short, only accented Latin letters.

    Titles longer than a slug may be, or with letters that do not fold to ASCII, get an
    id of their own instead of relying on how the service shortens or digests them.
    """
    folded = unicodedata.normalize("NFKD", text)
    if not all(ch.isascii() or unicodedata.combining(ch) for ch in folded):
        return None
    out = slug(text, max_len=10_000)
    return out if len(out) <= 70 else None


# --- the generator --------------------------------------------------------------------------


class _Generator:
    def __init__(self, n: int, seed: int) -> None:
        self.n = n
        self.rng = random.Random(seed)
        self.ids: set[str] = set()
        self.created: list[str] = []  # development ids, in the order they were created
        self.containers: list[str] = []  # visits and summits, which others can be part of
        self.kinds = [k for k, _ in KIND_WEIGHTS]
        self.weights = [w for _, w in KIND_WEIGHTS]

    # -- small helpers --

    def uuid(self) -> str:
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    def envelope(self, type_: str, data: dict[str, Any]) -> dict[str, Any]:
        out: dict[str, Any] = {"id": self.uuid(), "type": type_, "data": data}
        if self.rng.random() < 0.05:
            out["meta"] = {"recorded_by": self.rng.choice(("ana", "bo", "chen", "dmitri"))}
        return out

    def day(self, index: int) -> dt.date:
        """A date that drifts forward through the file, with jitter of a few months."""
        span = LAST_DAY - FIRST_DAY
        centre = FIRST_DAY + span * index // max(self.n, 1)
        ordinal = centre + self.rng.randint(-90, 90)
        return dt.date.fromordinal(min(max(ordinal, FIRST_DAY), LAST_DAY))

    def time(self) -> str:
        hour, minute = self.rng.randint(7, 21), self.rng.choice((0, 0, 15, 30, 45))
        if self.rng.random() < 0.2:
            return f"{hour:02d}:{minute:02d}:{self.rng.randint(0, 59):02d}"
        return f"{hour:02d}:{minute:02d}"

    def when(self, date: dt.date, place: tuple, *, interval_share: float) -> tuple[str, str, bool]:
        """(when, precision of the id's date prefix, needs a timezone)."""
        rng = self.rng
        r = rng.random()
        if r < interval_share:
            end = date + dt.timedelta(days=rng.randint(1, 4))
            return f"{date.isoformat()}/{end.isoformat()}", "day", False
        r = rng.random()
        if r < 0.72:
            return date.isoformat(), "day", False
        if r < 0.80:  # a timed development with the place's UTC offset that day
            time = self.time()
            offset = _offset_on(place[5], date, time) if rng.random() < 0.85 else "Z"
            return f"{date.isoformat()}T{time}{offset}", "day", False
        if r < 0.83:  # a local time: needs the place's IANA zone
            return f"{date.isoformat()}T{self.time()}", "day", True
        if r < 0.91:
            return date.isoformat()[:7], "month", False
        if r < 0.93:
            return str(date.year), "year", False
        mark = rng.choice("?~%")
        if rng.random() < 0.7:
            return date.isoformat() + mark, "day", False
        return date.isoformat()[:7] + mark, "month", False

    def place(self) -> tuple[dict[str, Any], tuple]:
        p = self.rng.choice(PLACES)
        name, city, country, lat, lon, _zone, _offset = p
        out: dict[str, Any] = {"city": city, "country": country}
        if name is not None:
            out["name"] = name
        if self.rng.random() < 0.92:
            out["lat"], out["lon"] = lat, lon
        return out, p

    def people(self, k: int) -> list[tuple[str, str, str | None]]:
        """k different people, the first two from different countries."""
        while True:
            chosen = self.rng.sample(PEOPLE, k)
            if k < 2 or chosen[0][2] != chosen[1][2]:
                return chosen

    @staticmethod
    def participant(person: tuple[str, str, str | None]) -> dict[str, Any]:
        name, role, country = person
        out: dict[str, Any] = {"name": name, "role": role}
        if country is not None:
            out["country"] = country
        return out

    def sources(self, title: str, date: dt.date) -> list[dict[str, Any]]:
        out = []
        for _ in range(self.rng.choice((0, 1, 1, 1, 2, 2, 3))):
            publisher, base = self.rng.choice(PUBLISHERS)
            url = f"{base}{slug(title, 60)}-{self.rng.getrandbits(32):08x}"
            source: dict[str, Any] = {"url": url, "publisher": publisher}
            if self.rng.random() < 0.8:
                source["title"] = title
            if self.rng.random() < 0.7:
                source["published"] = (date + dt.timedelta(days=self.rng.randint(0, 2))).isoformat()
            out.append(source)
        return out

    def tags(self) -> list[str]:
        return self.rng.sample(TAGS, self.rng.choice((0, 1, 2, 2, 3, 4)))

    def summary(self, sentence: str) -> str:
        extra = (
            " Both sides exchanged views on bilateral relations and regional issues.",
            " The readout described the talks as candid, substantive and constructive.",
            " They agreed to stay in close contact.",
            " Officials said further meetings would follow at working level.",
        )
        k = self.rng.randint(0, len(extra))
        return sentence + "".join(self.rng.sample(extra, k))

    def assign_id(self, data: dict[str, Any], title: str, date_prefix: str | None) -> str:
        """Give the development an id, or leave it to the service when the made one is free."""
        base = f"{date_prefix}-{slug(title)}" if date_prefix else slug(title)
        made = plain_slug(title) if self.rng.random() < 0.5 and date_prefix else None
        if made is not None and base not in self.ids:
            dev_id = base  # the service makes the same id from date and title
        else:
            dev_id, k = base, 2
            while dev_id in self.ids:
                dev_id, k = f"{base}-{k}", k + 1
            data["development"] = dev_id
        self.ids.add(dev_id)
        return dev_id

    # -- the kinds --

    def creation(self, index: int) -> tuple[dict[str, Any], str, str]:
        """(event, development id, type) of one new development."""
        rng = self.rng
        type_ = rng.choices(self.kinds, self.weights)[0]
        date = self.day(index)
        place, p = self.place()
        data: dict[str, Any] = {}
        interval_share = {"VisitMade": 0.75, "SummitHeld": 0.6, "TalksHeld": 0.3}.get(type_, 0.03)

        if type_ == "DevelopmentScheduled":
            return self.scheduled(index, date, place, p)

        people = self.people(
            {"SummitHeld": rng.randint(3, 8), "TalksHeld": rng.randint(2, 5)}.get(type_, 2)
        )
        a, b = people[0], people[1]
        topic = rng.choice(TOPICS)
        country_a = COUNTRY_NAMES.get(a[2] or "", "UN")
        country_b = COUNTRY_NAMES.get(b[2] or "", "EU")
        if type_ == "MeetingHeld":
            title = f"{a[0]} meets {b[0]}"
            summary = f"{a[0]} and {b[0]} met in {p[1]} to discuss {topic}."
        elif type_ == "CallHeld":
            title = f"{a[0]} and {b[0]} speak by {rng.choice(('phone', 'video link'))}"
            summary = f"The two discussed {topic}."
            place = None
        elif type_ == "TalksHeld":
            title = f"{country_a}-{country_b} talks on {topic}"
            summary = f"Delegations led by {a[0]} and {b[0]} held talks on {topic}."
        elif type_ == "SummitHeld":
            title = f"{rng.choice(SUMMITS)} summit in {p[1]}"
            summary = f"Leaders met in {p[1]}; {topic} was high on the agenda."
        elif type_ == "VisitMade":
            host = p[2] if p[2] != a[2] else "CH"
            title = f"{a[0]} visits {COUNTRY_NAMES.get(host, host)}"
            summary = f"{a[0]} paid an official visit, the focus being {topic}."
            data["visitor"] = a[0]
            data["host_country"] = host
        elif type_ == "AgreementReached":
            title = f"{country_a} and {country_b} agree on {topic}"
            summary = f"An agreement on {topic} was signed by {a[0]} and {b[0]}."
            points = rng.sample(POINTS, rng.randint(1, 4))
            data["points"] = [point.format(topic=topic) for point in points]
            data["parties"] = [c for c in (a[2], b[2]) if c is not None] or ["CH"]
        else:  # StatementMade
            title = f"{a[0]} on {topic}"
            summary = f"{a[0]} set out the government's position on {topic}."
            data["speaker"] = a[0]
            data["quote"] = (
                f"We are ready to work with all partners on {topic}, "
                "on the basis of mutual respect and international law."
            )
            people = [a]

        when, precision, local = self.when(date, p, interval_share=interval_share)
        prefix = {"year": when[:4], "month": when[:7]}.get(precision, when[:10])
        data = {"title": title, "when": when, **data}
        dev_id = self.assign_id(data, title, prefix)
        if local or (place is not None and rng.random() < 0.5):
            data["timezone"] = p[5]
        if rng.random() < 0.8:
            data["summary"] = self.summary(summary)
        if place is not None:
            data["place"] = place
        data["participants"] = [self.participant(x) for x in people]
        if type_ in ("StatementMade", "VisitMade", "AgreementReached") and rng.random() < 0.3:
            del data["participants"]  # optional for these kinds
        if sources := self.sources(title, date):
            data["sources"] = sources
        if tags := self.tags():
            data["tags"] = tags
        if self.containers and type_ in ("MeetingHeld", "TalksHeld") and rng.random() < 0.1:
            data["part_of"] = rng.choice(self.containers[-50:])
        if type_ in ("VisitMade", "SummitHeld"):
            self.containers.append(dev_id)
        return self.envelope(type_, data), dev_id, type_

    def scheduled(
        self, index: int, date: dt.date, place: dict[str, Any], p: tuple
    ) -> tuple[dict[str, Any], str, str]:
        rng = self.rng
        kind = rng.choice(SCHEDULED_KINDS)
        a, b = self.people(2)
        topic = rng.choice(TOPICS)
        title = {
            "meeting": f"{a[0]} to meet {b[0]}",
            "talks": f"Talks on {topic} planned",
            "summit": f"{rng.choice(SUMMITS)} summit to be held in {p[1]}",
            "call": f"{a[0]} and {b[0]} expected to speak",
            "visit": f"{a[0]} to visit {COUNTRY_NAMES.get(p[2], p[2])}",
            "dialogue": f"Dialogue on {topic}",
            "consultation": f"Consultations on {topic}",
            "other": f"Conference on {topic}",
        }[kind]
        data: dict[str, Any] = {"title": title, "kind": kind}
        r = rng.random()
        if r < 0.2:
            prefix = None  # date not known yet
        elif r < 0.55:
            data["when"] = prefix = date.isoformat()[:7]
        elif r < 0.9:
            data["when"] = prefix = date.isoformat()
        else:
            end = date + dt.timedelta(days=rng.randint(1, 3))
            data["when"] = f"{date.isoformat()}/{end.isoformat()}"
            prefix = date.isoformat()
        dev_id = self.assign_id(data, title, prefix)
        if rng.random() < 0.6:
            data["summary"] = self.summary(f"Announced: {title.lower()}.")
        if kind != "call" and rng.random() < 0.7:
            data["place"] = place
            if rng.random() < 0.5:
                data["timezone"] = p[5]
        data["participants"] = [self.participant(x) for x in (a, b)]
        if sources := self.sources(title, date):
            data["sources"] = sources
        if tags := self.tags():
            data["tags"] = tags
        if self.created and rng.random() < 0.3:
            data["announced_in"] = rng.choice(self.created[-200:])
        return self.envelope("DevelopmentScheduled", data), dev_id, "DevelopmentScheduled"

    def revision(self, dev_id: str, index: int) -> dict[str, Any]:
        rng = self.rng
        changes: dict[str, Any] = {}
        choice = rng.randrange(6)
        if choice == 0:
            changes["when"] = self.day(index).isoformat()
        elif choice == 1:
            changes["summary"] = self.summary("Corrected summary from the official readout.")
        elif choice == 2:
            changes["tags"] = self.tags() or ["bilateral"]
        elif choice == 3:
            changes["place"], _ = self.place()
        elif choice == 4:
            changes["sources"] = self.sources("Official readout", self.day(index))
            if not changes["sources"]:
                changes["sources"] = None  # clears them
        else:
            a, b = self.people(2)
            changes["title"] = f"{a[0]} meets {b[0]}"
            if rng.random() < 0.5:
                changes["summary"] = None
        data = {"development": dev_id, "changes": changes, "reason": rng.choice(REVISION_REASONS)}
        return self.envelope("DevelopmentRevised", data)

    def scheduled_life(self, dev_id: str, index: int) -> list[dict[str, Any]]:
        """What becomes of a scheduled development: held, postponed, cancelled, or nothing."""
        rng = self.rng
        r = rng.random()
        out = []
        if 0.45 <= r < 0.65:  # postponed, sometimes to a new date, then sometimes held
            data: dict[str, Any] = {"development": dev_id}
            if rng.random() < 0.6:
                data["when"] = self.day(index + self.n // 50).isoformat()[:7]
            if rng.random() < 0.8:
                data["reason"] = rng.choice(
                    ("scheduling conflict", "agenda not agreed", "security concerns")
                )
            out.append(self.envelope("DevelopmentPostponed", data))
        if r < 0.55:  # held (some of them after a postponement)
            data = {"development": dev_id, "when": self.day(index + self.n // 40).isoformat()}
            if rng.random() < 0.3:
                data["summary"] = self.summary("It went ahead as announced.")
            out.append(self.envelope("DevelopmentHeld", data))
        elif 0.65 <= r < 0.70:
            out.append(
                self.envelope(
                    "DevelopmentCancelled", {"development": dev_id, "reason": "called off"}
                )
            )
        return out

    def __iter__(self) -> Iterator[dict[str, Any]]:
        rng = self.rng
        later: list[tuple[int, int, dict[str, Any]]] = []  # (due index, order, event)
        order = 0
        for index in range(self.n):
            while later and later[0][0] <= index:
                yield heapq.heappop(later)[2]
            event, dev_id, type_ = self.creation(index)
            self.created.append(dev_id)
            yield event
            follow: list[dict[str, Any]] = []
            if type_ == "DevelopmentScheduled":
                follow.extend(self.scheduled_life(dev_id, index))
            if rng.random() < 0.1:
                follow.insert(rng.randint(0, len(follow)), self.revision(dev_id, index))
            due = index + 1
            for item in follow:  # in order, each a little later than the one before
                due += rng.randint(0, 40)
                heapq.heappush(later, (due, order, item))
                order += 1
        while later:
            yield heapq.heappop(later)[2]


def generate(n: int, seed: int = 0) -> Iterator[dict[str, Any]]:
    """N synthetic developments and their lifecycle events, as event JSON objects."""
    if n < 0:
        raise ValueError("n must be 0 or more")
    return iter(_Generator(n, seed))


def write(n: int, out: Any, seed: int = 0) -> int:
    """Write the JSON Lines to the text file *out*; return the number of events."""
    count = 0
    for event in generate(n, seed):
        out.write(json.dumps(event, ensure_ascii=False, separators=(",", ":")) + "\n")
        count += 1
    return count


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("n", type=int, help="how many developments (creating events)")
    parser.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    parser.add_argument("-o", "--output", help="write to this file instead of stdout")
    args = parser.parse_args(argv)
    if args.output:
        with open(args.output, "w", encoding="utf-8") as out:
            count = write(args.n, out, args.seed)
    else:
        sys.stdout.reconfigure(encoding="utf-8")  # type: ignore[union-attr]
        count = write(args.n, sys.stdout, args.seed)
    print(f"{count} events for {args.n} developments", file=sys.stderr)


if __name__ == "__main__":
    main()
