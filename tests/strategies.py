"""Hypothesis strategies for event payloads, as a user would submit them (plain JSON dicts).

One strategy per event type. Values are realistic but random: EDTF dates of every precision
and closed intervals, optional places, participants, sources and tags, ISO 3166-1 alpha-2
codes, http(s) URLs. Lifecycle strategies take the id of the development they are about.
The rules come from the contract (docs: CONTRACT.md, "Event JSON"), not from the code.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from hypothesis import strategies as st
from timeline.events.countries import ALPHA2
from timeline.events.values import When

Payload = dict[str, Any]

COUNTRIES = sorted(ALPHA2)
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
RELATIONS = ("part_of", "follows_up", "implements", "responds_to", "announced_in")
ACTOR_KINDS = ("person", "organization", "state")
CLEARABLE = ("timezone", "summary", "place", "participants", "sources", "tags", "part_of")
DISPUTABLE = ("kind", "title", "when", "timezone", "summary", "place", "participants")
DISPUTABLE += ("visitor", "host_country", "speaker", "quote", "points", "parties")

PEOPLE = (
    "Xi Jinping",
    "Antony Blinken",
    "Wang Yi",
    "Joe Biden",
    "Liu Zhenmin",
    "Sergey Lavrov",
    "Emmanuel Macron",
    "Narendra Modi",
    "Olaf Scholz",
    "Luiz Inácio Lula da Silva",
    "Cyril Ramaphosa",
    "Fumio Kishida",
    "Recep Tayyip Erdoğan",
    "António Guterres",
    "Ursula von der Leyen",
    "Ngozi Okonjo-Iweala",
    "Mohammed bin Abdulrahman Al Thani",
    "Ségolène Royal",
)
NATIVE_NAMES = (
    "习近平",
    "王毅",
    "Сергей Лавров",
    "岸田文雄",
    "محمد بن عبدالرحمن آل ثاني",
    "김정은",
)
ROLES = (
    "President",
    "Secretary of State",
    "Foreign Minister",
    "Special Envoy for Climate Change",
    "Prime Minister",
    "Chancellor",
    "Secretary-General",
    "Director of the Institute of International Affairs, Renmin University of China",
)
ORGANIZATIONS = (
    "Ministry of Foreign Affairs",
    "U.S. Department of State",
    "United Nations",
    "European Commission",
    "World Trade Organization",
)
VENUES = (
    "Great Hall of the People",
    "Diaoyutai State Guesthouse",
    "Élysée Palace",
    "White House",
    "Palais des Nations",
    "Hyderabad House",
    "Itamaraty Palace",
)
CITIES = (
    "Beijing",
    "Washington",
    "Geneva",
    "New Delhi",
    "Moscow",
    "Paris",
    "Brasília",
    "Addis Ababa",
    "Doha",
    "Tokyo",
    "Kyiv",
    "Pretoria",
)
ZONES = (
    "Asia/Shanghai",
    "America/New_York",
    "Europe/Paris",
    "Europe/Moscow",
    "Asia/Kolkata",
    "Asia/Kathmandu",
    "Africa/Addis_Ababa",
    "America/Sao_Paulo",
    "Australia/Lord_Howe",
    "UTC",
)
OFFSETS = ("Z", "+08:00", "-05:00", "+05:30", "+05:45", "+00:00", "-03:30", "+14:00", "-1200")
TOPICS = (
    "China-U.S. relations",
    "climate change",
    "artificial intelligence",
    "maritime issues",
    "Asia-Pacific affairs",
    "trade",
    "Taiwan",
    "people-to-people exchanges",
    "non-proliferation",
)
NEWS_HOSTS = (
    "www.cgtn.com",
    "news.cgtn.com",
    "www.state.gov",
    "www.fmprc.gov.cn",
    "www.reuters.com",
    "apnews.com",
    "www.mea.gov.in",
    "127.0.0.1:8080",
    "[2001:db8::1]",
)
WORDS = (
    "xi",
    "jinping",
    "meets",
    "antony",
    "blinken",
    "wang",
    "yi",
    "talks",
    "visit",
    "china",
    "summit",
    "call",
    "g20",
    "brics",
    "dialogue",
)

_ALNUM = "abcdefghijklmnopqrstuvwxyz0123456789"

# --- small values ------------------------------------------------------------------------------


def free_text(max_size: int) -> st.SearchStrategy[str]:
    """Any non-blank text, up to max_size characters (surrounding whitespace included)."""
    return st.text(max_size=max_size).filter(str.strip)


def names() -> st.SearchStrategy[str]:
    """A person's name: a known diplomat, or random non-blank text."""
    return st.one_of(st.sampled_from(PEOPLE), free_text(40))


def countries() -> st.SearchStrategy[str]:
    """An ISO 3166-1 alpha-2 code, now and then in lower case as people type it."""
    return st.one_of(st.sampled_from(COUNTRIES), st.sampled_from(COUNTRIES).map(str.lower))


def titles() -> st.SearchStrategy[str]:
    """A title of 1-300 characters: a headline from a template, or random text."""
    headline = st.builds(
        "{} {} {}".format,
        st.sampled_from(PEOPLE),
        st.sampled_from(("meets", "holds talks with", "speaks by phone with", "welcomes")),
        st.sampled_from(PEOPLE),
    )
    return st.one_of(headline, free_text(300))


def slugs() -> st.SearchStrategy[str]:
    """A development id: lowercase ASCII words joined by single hyphens."""
    readable = st.builds(
        "{}-{}".format,
        st.dates(dt.date(1990, 1, 1), dt.date(2035, 12, 31)).map(dt.date.isoformat),
        st.lists(st.sampled_from(WORDS), min_size=1, max_size=6).map("-".join),
    )
    word = st.text(alphabet=_ALNUM, min_size=1, max_size=10)
    return st.one_of(readable, st.lists(word, min_size=1, max_size=5).map("-".join))


def other_slug(taken: str) -> st.SearchStrategy[str]:
    """A development id different from *taken*."""
    return slugs().filter(lambda s: s != taken)


def tags() -> st.SearchStrategy[list[str]]:
    """Zero or more tags (repeats allowed: they are dropped when structured)."""
    tag = st.one_of(st.sampled_from(TOPICS), st.text(min_size=1, max_size=100).filter(str.strip))
    return st.lists(tag, max_size=5)


# --- dates -------------------------------------------------------------------------------------

_DATES = st.dates(dt.date(1900, 1, 1), dt.date(2099, 12, 31))
_QUALIFIER = st.sampled_from(("", "", "", "?", "~", "%"))
_DAYTIME = st.times(min_value=dt.time(6), max_value=dt.time(21, 59, 59))


def _date_text(day: dt.date, precision: str, mark: str) -> str:
    """The date *day* falls in at *precision*, as EDTF writes it (a season: the one it is in)."""
    if precision == "season":
        # EDTF level 1: 21 spring (March-May) ... 24 winter (December to February).
        if day.month < 3:
            return f"{day.year - 1:04d}-24{mark}"
        return f"{day:%Y}-{21 + (day.month - 3) // 3 if day.month < 12 else 24}{mark}"
    text = {"year": f"{day:%Y}", "month": f"{day:%Y-%m}", "day": day.isoformat()}[precision]
    return text + mark


def _time_text(moment: dt.datetime, precision: str, offset: str) -> str:
    fmt = "%Y-%m-%dT%H:%M" if precision == "minute" else "%Y-%m-%dT%H:%M:%S"
    return moment.strftime(fmt) + offset


@st.composite
def _single(draw: st.DrawFn) -> tuple[str, bool]:
    precision = draw(st.sampled_from(("year", "season", "month", "day", "minute", "second")))
    if precision in ("year", "season", "month", "day"):
        return _date_text(draw(_DATES), precision, draw(_QUALIFIER)), False
    # A wall-clock time; the offset (or the zone of the payload) is written next to it.
    offset = draw(st.sampled_from((*OFFSETS, "")))  # "" is a local time: it needs a zone
    # A local time stays in the day hours: clocks change at night, and a time that a
    # change skips or repeats is refused (tested on its own in test_events_values).
    times = _DAYTIME if offset == "" else st.times()
    moment = dt.datetime.combine(draw(_DATES), draw(times))
    return _time_text(moment, precision, offset), offset == ""


@st.composite
def _interval(draw: st.DrawFn) -> tuple[str, bool]:
    form = draw(st.sampled_from(("day", "month", "year", "season", "day/month", "timed", "open")))
    if form == "open":
        # An interval open at its end (EDTF level 1): any date, or time, then "/..".
        text, local = draw(_single())
        return f"{text}/..", local
    start = draw(_DATES)
    end = start + dt.timedelta(days=draw(st.integers(0, 400)))
    if form == "timed":
        # The same offset on both sides (or both local), so wall-clock order is real order.
        offset = draw(st.sampled_from((*OFFSETS, "")))
        hours = (6, 21) if offset == "" else (0, 23)  # local times: see _single
        hour, minute = draw(st.integers(*hours)), draw(st.integers(0, 59))
        first = dt.datetime.combine(start, dt.time(hour, minute))
        last = first + dt.timedelta(minutes=draw(st.integers(0, 3 * 24 * 60)))
        if offset == "" and not 6 <= last.hour <= 21:
            last = last.replace(hour=21, minute=0) if last.hour > 21 else last.replace(hour=6)
            last = max(last, first)
        precision = draw(st.sampled_from(("minute", "second")))
        text = f"{_time_text(first, precision, offset)}/{_time_text(last, precision, offset)}"
        return text, offset == ""
    if form == "day/month":
        # A day, then a later month (a month starts on its first day).
        later = dt.date(start.year + (start.month == 12), start.month % 12 + 1, 1)
        end = max(end, later)
        return f"{_date_text(start, 'day', '')}/{_date_text(end, 'month', draw(_QUALIFIER))}", False
    marks = draw(_QUALIFIER), draw(_QUALIFIER)
    return f"{_date_text(start, form, marks[0])}/{_date_text(end, form, marks[1])}", False


def when_texts(*, mostly_intervals: bool = False) -> st.SearchStrategy[tuple[str, bool]]:
    """An EDTF date and whether it is a local time (so the payload needs a timezone)."""
    if mostly_intervals:
        return st.one_of(_interval(), _interval(), _single())
    return st.one_of(_single(), _single(), _single(), _interval())


@st.composite
def when_fields(draw: st.DrawFn, *, mostly_intervals: bool = False) -> Payload:
    """``when``, plus a ``timezone`` when the date is a local time (and now and then otherwise)."""
    text, local = draw(when_texts(mostly_intervals=mostly_intervals))
    out: Payload = {"when": text}
    if local or draw(st.booleans()):
        # A time given with an offset takes only a zone at that offset then.
        when = When.parse(text)
        agreeing = [zone for zone in ZONES if when.offset_problem(zone) is None]
        if agreeing:
            out["timezone"] = draw(st.sampled_from(agreeing))
    return out


def single_dates() -> st.SearchStrategy[str]:
    """A date or date-time that is not an interval and needs no zone (e.g. ``published``)."""
    return _single().filter(lambda pair: not pair[1]).map(lambda pair: pair[0])


def zoneless_dates() -> st.SearchStrategy[str]:
    """A date, date-time or interval that needs no zone (a postponement carries none)."""
    return when_texts().filter(lambda pair: not pair[1]).map(lambda pair: pair[0])


# --- objects -----------------------------------------------------------------------------------


def places() -> st.SearchStrategy[Payload]:
    """A place: a name and/or a city, optional country, optional lat and lon together."""

    def build(name: str | None, city: str | None, country: str | None, at: Any) -> Payload:
        out: Payload = {"name": name, "city": city, "country": country}
        if at is not None:
            out["lat"], out["lon"] = at
        return {k: v for k, v in out.items() if v is not None}

    coordinate = st.tuples(
        st.one_of(st.floats(-90, 90), st.integers(-90, 90)),
        st.one_of(st.floats(-180, 180), st.integers(-180, 180)),
    )
    return st.builds(
        build,
        st.none() | st.sampled_from(VENUES),
        st.none() | st.sampled_from(CITIES),
        st.none() | countries(),
        st.none() | coordinate,
    ).filter(lambda place: "name" in place or "city" in place)


def participants(*, min_size: int = 0) -> st.SearchStrategy[list[Payload]]:
    """A list of participants: a name, maybe a role, maybe a country."""
    one = st.fixed_dictionaries(
        {"name": names()},
        optional={"role": st.sampled_from(ROLES), "country": countries()},
    )
    return st.lists(one, min_size=min_size, max_size=4)


def urls() -> st.SearchStrategy[str]:
    """An absolute http(s) URL with a host, and maybe a path and a query."""
    segment = st.text(alphabet=_ALNUM + "-._~%", min_size=1, max_size=16)
    return st.builds(
        "{}://{}{}{}".format,
        st.sampled_from(("http", "https", "HTTPS")),
        st.sampled_from(NEWS_HOSTS),
        st.lists(segment, max_size=4).map(lambda parts: "".join(f"/{p}" for p in parts)),
        st.sampled_from(("", "", "?id=42", "#top", "/?utm_source=x&lang=zh")),
    )


def sources() -> st.SearchStrategy[list[Payload]]:
    """A list of sources: an http(s) URL, maybe a title, a publisher and a date."""
    one = st.fixed_dictionaries(
        {"url": urls()},
        optional={
            "title": titles(),
            "publisher": st.sampled_from(("CGTN", "Xinhua", "Reuters", "U.S. Department of State")),
            "published": single_dates(),
        },
    )
    return st.lists(one, max_size=3)


def _summaries() -> st.SearchStrategy[str]:
    return st.one_of(
        st.just(
            "The meeting culminated Blinken's three-day visit to China; Xi proposed mutual "
            "respect, peaceful coexistence and win-win cooperation."
        ),
        free_text(500),
    )


# --- events that create a development ----------------------------------------------------------


@st.composite
def _created(
    draw: st.DrawFn,
    extra: dict[str, st.SearchStrategy[Any]],
    *,
    min_participants: int = 0,
    needs_when: bool = True,
    mostly_intervals: bool = False,
) -> Payload:
    required: dict[str, st.SearchStrategy[Any]] = {"title": titles(), **extra}
    optional: dict[str, st.SearchStrategy[Any]] = {
        "development": slugs(),
        "summary": _summaries(),
        "place": places(),
        "sources": sources(),
        "tags": tags(),
        "part_of": slugs(),
    }
    if min_participants:
        required["participants"] = participants(min_size=min_participants)
    else:
        optional["participants"] = participants()
    payload = draw(st.fixed_dictionaries(required, optional=optional))
    if needs_when or draw(st.booleans()):
        payload.update(draw(when_fields(mostly_intervals=mostly_intervals)))
    if payload.get("part_of") is not None and payload.get("part_of") == payload.get("development"):
        del payload["part_of"]
    return payload


def meeting_held() -> st.SearchStrategy[Payload]:
    """A MeetingHeld payload (at least one participant)."""
    return _created({}, min_participants=1)


def talks_held() -> st.SearchStrategy[Payload]:
    """A TalksHeld payload (at least one participant)."""
    return _created({}, min_participants=1)


def summit_held() -> st.SearchStrategy[Payload]:
    """A SummitHeld payload (at least one participant)."""
    return _created({}, min_participants=1)


def call_held() -> st.SearchStrategy[Payload]:
    """A CallHeld payload (at least one participant)."""
    return _created({}, min_participants=1)


def visit_made() -> st.SearchStrategy[Payload]:
    """A VisitMade payload: a visitor and a host country, usually over an interval."""
    return _created({"visitor": names(), "host_country": countries()}, mostly_intervals=True)


def agreement_reached() -> st.SearchStrategy[Payload]:
    """An AgreementReached payload: at least one point, maybe the parties."""
    point = st.one_of(
        st.sampled_from(
            (
                "Maintain high-level exchanges and contacts at all levels.",
                "Hold the first meeting of the intergovernmental dialogue on AI.",
                "Expand cultural and people-to-people exchanges.",
            )
        ),
        free_text(300),
    )
    return _created(
        {
            "points": st.lists(point, min_size=1, max_size=5),
            "parties": st.lists(countries(), max_size=3),
        }
    )


def statement_made() -> st.SearchStrategy[Payload]:
    """A StatementMade payload: a speaker and a verbatim quote."""
    quote = st.one_of(
        st.just("China and the U.S. should help each other succeed rather than hurt each other."),
        free_text(500),
    )
    return _created({"speaker": names(), "quote": quote})


def development_scheduled() -> st.SearchStrategy[Payload]:
    """A DevelopmentScheduled payload: a kind, maybe a date, maybe where it was announced."""

    @st.composite
    def build(draw: st.DrawFn) -> Payload:
        payload = draw(_created({"kind": st.sampled_from(SCHEDULED_KINDS)}, needs_when=False))
        if draw(st.booleans()):
            payload["announced_in"] = draw(slugs())
        return payload

    return build()


CREATING = {
    "MeetingHeld": meeting_held,
    "TalksHeld": talks_held,
    "SummitHeld": summit_held,
    "CallHeld": call_held,
    "VisitMade": visit_made,
    "AgreementReached": agreement_reached,
    "StatementMade": statement_made,
    "DevelopmentScheduled": development_scheduled,
}


def creation_payload() -> st.SearchStrategy[tuple[str, Payload]]:
    """``(type, payload)`` for one of the event types that create a development."""
    return st.one_of(*(st.tuples(st.just(name), make()) for name, make in CREATING.items()))


# --- lifecycle events --------------------------------------------------------------------------


def _reasons() -> st.SearchStrategy[str]:
    return st.one_of(
        st.sampled_from(
            (
                "Scheduling conflict announced by the foreign ministry.",
                "The date was misreported in the first dispatch.",
                "Duplicate of an existing entry.",
            )
        ),
        free_text(300),
    )


def _shared_updates(development: str) -> dict[str, st.SearchStrategy[Any]]:
    return {
        "title": titles(),
        "summary": _summaries(),
        "place": places(),
        "participants": participants(),
        "sources": sources(),
        "tags": tags(),
        "part_of": other_slug(development),
    }


@st.composite
def _held(draw: st.DrawFn, development: str) -> Payload:
    payload = draw(st.fixed_dictionaries({}, optional=_shared_updates(development)))
    return {"development": development, **payload, **draw(when_fields())}


def development_held(development: str) -> st.SearchStrategy[Payload]:
    """A DevelopmentHeld payload: the actual date, maybe new values for shared fields."""
    return _held(development)


def development_postponed(development: str) -> st.SearchStrategy[Payload]:
    """A DevelopmentPostponed payload: maybe a new date (without a zone), maybe a reason."""
    return st.fixed_dictionaries(
        {"development": st.just(development)},
        optional={"when": zoneless_dates(), "reason": _reasons()},
    )


def development_cancelled(development: str) -> st.SearchStrategy[Payload]:
    """A DevelopmentCancelled payload: maybe a reason."""
    return st.fixed_dictionaries(
        {"development": st.just(development)}, optional={"reason": _reasons()}
    )


@st.composite
def _changes(draw: st.DrawFn, development: str) -> Payload:
    fields = _shared_updates(development)
    optional: dict[str, st.SearchStrategy[Any]] = {
        # null removes a clearable field; title and when can only get new values
        name: (st.none() | strat) if name in CLEARABLE else strat
        for name, strat in fields.items()
    }
    optional["timezone"] = st.none() | st.sampled_from(ZONES)
    changes = draw(st.fixed_dictionaries({}, optional=optional))
    if draw(st.booleans()):
        dated = draw(when_fields())
        zone = changes.get("timezone")
        if zone is not None and When.parse(dated["when"]).offset_problem(zone) is not None:
            del changes["timezone"]  # a zone that the new time's offset contradicts
        changes.update(dated)
    if not changes:
        changes["title"] = draw(titles())
    return changes


@st.composite
def _revised(draw: st.DrawFn, development: str) -> Payload:
    return {
        "development": development,
        "changes": draw(_changes(development)),
        "reason": draw(_reasons()),
    }


def development_revised(development: str) -> st.SearchStrategy[Payload]:
    """A DevelopmentRevised payload: at least one change (null clears a field) and a reason."""
    return _revised(development)


def development_retracted(development: str) -> st.SearchStrategy[Payload]:
    """A DevelopmentRetracted payload: the reason is required."""
    return st.fixed_dictionaries({"development": st.just(development), "reason": _reasons()})


def developments_linked(development: str) -> st.SearchStrategy[Payload]:
    """A DevelopmentsLinked payload from *development* to another one."""
    return st.fixed_dictionaries(
        {
            "from": st.just(development),
            "to": other_slug(development),
            "relation": st.sampled_from(RELATIONS),
        }
    )


def _disputed() -> st.SearchStrategy[Payload]:
    return st.fixed_dictionaries(
        {
            "field": st.sampled_from(DISPUTABLE),
            "value": free_text(300),
            "said_by": st.sampled_from(("history.state.gov", "news.cgtn.com", "d1")),
        }
    )


BROUGHT = ("sources", "participants", "tags", "disputed")
"""What a DevelopmentsMerged brings, filled in when it is appended (drop it to append one)."""


def developments_merged(development: str) -> st.SearchStrategy[Payload]:
    """A DevelopmentsMerged payload: another development merged into *development*, maybe
    with what it brings as a stored merge holds it (see :data:`BROUGHT`)."""
    return st.fixed_dictionaries(
        {
            "development": st.just(development),
            "duplicate": other_slug(development),
            "reason": _reasons(),
        },
        optional={
            "sources": sources(),
            "participants": participants(),
            "tags": tags(),
            "disputed": st.lists(_disputed(), max_size=3),
        },
    )


def developments_unmerged(development: str) -> st.SearchStrategy[Payload]:
    """A DevelopmentsUnmerged payload: a development merged into *development* restored."""
    return st.fixed_dictionaries(
        {
            "development": st.just(development),
            "duplicate": other_slug(development),
            "reason": _reasons(),
        }
    )


LIFECYCLE = {
    "DevelopmentHeld": development_held,
    "DevelopmentPostponed": development_postponed,
    "DevelopmentCancelled": development_cancelled,
    "DevelopmentRevised": development_revised,
    "DevelopmentRetracted": development_retracted,
    "DevelopmentsLinked": developments_linked,
    "DevelopmentsMerged": developments_merged,
    "DevelopmentsUnmerged": developments_unmerged,
}


# --- actors ------------------------------------------------------------------------------------


@st.composite
def _role(draw: st.DrawFn) -> Payload:
    role: Payload = {"title": draw(st.sampled_from(ROLES) | free_text(100))}
    if draw(st.booleans()):
        role["organization"] = draw(st.sampled_from(ORGANIZATIONS))
    start = draw(_DATES)
    end = start + dt.timedelta(days=draw(st.integers(0, 4000)))
    precision = st.sampled_from(("year", "month", "day"))
    # Any precision on either side keeps the end on or after the start.
    if draw(st.booleans()):
        role["from"] = _date_text(start, draw(precision), draw(_QUALIFIER))
    if draw(st.booleans()):
        role["to"] = _date_text(end, draw(precision), draw(_QUALIFIER))
    return role


def actor_described() -> st.SearchStrategy[Payload]:
    """An ActorDescribed payload: a name, maybe native name, kind, country, roles, aliases
    and a Wikidata id."""
    return st.fixed_dictionaries(
        {"name": names()},
        optional={
            "native_name": st.sampled_from(NATIVE_NAMES),
            "kind": st.sampled_from(ACTOR_KINDS),
            "country": countries(),
            "roles": st.lists(_role(), max_size=3),
            "aliases": st.lists(names(), max_size=3, unique_by=str.casefold),
            "wikidata": st.integers(1, 10**11).map(lambda n: f"Q{n}"),
        },
    )


@st.composite
def _any(draw: st.DrawFn) -> tuple[str, Payload]:
    kind = draw(st.sampled_from(("create", "lifecycle", "actor")))
    if kind == "create":
        return draw(creation_payload())
    if kind == "actor":
        return "ActorDescribed", draw(actor_described())
    name = draw(st.sampled_from(sorted(LIFECYCLE)))
    return name, draw(LIFECYCLE[name](draw(slugs())))


def any_payload() -> st.SearchStrategy[tuple[str, Payload]]:
    """``(type, payload)`` for any event type of the contract."""
    return _any()


def payloads_of(type_: str, development: str = "2024-04-26-xi-jinping-meets-antony-blinken"):
    """The strategy for *type_* (lifecycle ones about *development*)."""
    if type_ in CREATING:
        return CREATING[type_]()
    if type_ in LIFECYCLE:
        return LIFECYCLE[type_](development)
    if type_ == "ActorDescribed":
        return actor_described()
    raise KeyError(type_)
