"""The Historian's countries as ISO codes, as they were on the record's date."""

from __future__ import annotations

import datetime as dt

import pytest
from timeline.events.countries import is_country

from timeline.importers.hsg_countries import FORMER_NAMES, SLUGS, country_code


@pytest.mark.parametrize(
    ("slug", "label", "day", "code"),
    [
        ("japan", "Japan", "2021-03-15", "JP"),
        ("russia", "U.S.S.R.", "1972-05-22", "SU"),
        ("russia", "Russia", "1988-05-29", "SU"),  # the slug's label, but the Soviet Union's day
        ("russia", "Russia", "1994-01-13", "RU"),
        ("ukraine", "Ukraine", "1991-08-01", "SU"),
        ("ukraine", "Ukraine", "1992-01-01", "UA"),
        ("estonia", "Estonia", "1930-06-01", "EE"),
        ("estonia", "Estonia", "1980-06-01", "SU"),
        ("yugoslavia", "Yugoslavia", "1970-09-30", "YU"),
        ("yugoslavia", "Yugoslavia", "2004-05-01", "CS"),
        ("serbia", "Serbia and Montenegro", "2005-01-01", "CS"),
        ("serbia", "Serbia", "1999-01-01", "YU"),
        ("serbia", "Serbia", "2010-01-01", "RS"),
        ("slovenia", "Slovenia", "1991-07-01", "SI"),
        ("czechoslovakia", "Czechoslovakia", "1990-02-06", "CS"),
        ("slovakia", "Slovakia", "1990-02-06", "CS"),
        ("czechia", "Czechia", "2023-01-01", "CZ"),
        ("germany", "German Democratic Republic", "1989-12-12", "DD"),
        ("germany", "Germany, Federal Republic of", "1980-01-01", "DE"),
        ("yemen", "Yemen Arab Republic", "1990-01-23", "YE"),
        ("congo-democratic-republic", "Democratic Republic of the Congo (Zaire)", "1990", "CD"),
        ("cote-divoire", "Cote d\u2019Ivoire", "2020-01-01", "CI"),
        ("china", "China, People\u2019s Republic of", "2024-04-24", "CN"),
        ("denmark", "Denmark (Greenland)", "2021-05-18", "GL"),
        ("west-bank", "West Bank", "2023-10-16", "PS"),
        ("holy-see", "Vatican City", "1967-12-23", "VA"),
        ("somoa", "Somoa", "2023-09-25", "WS"),
        ("turkiye", "T\u00fcrkiye", "2023-02-19", "TR"),
        ("kosovo", "Kosovo", "2021-01-01", "XK"),
        ("hawaii", "Hawaii", "1874-12-12", None),
        ("", "Kingdom of Hawaii", "1874-12-12", None),
    ],
)
def test_a_country_as_it_was_on_the_day(slug: str, label: str, day: str, code: str | None) -> None:
    on = dt.date.fromisoformat(day if len(day) == 10 else f"{day}-01-01")
    assert country_code(slug, label, on) == code


def test_every_code_mapped_to_is_one_events_accept() -> None:
    assert all(is_country(code) for code in (*SLUGS.values(), *FORMER_NAMES.values()))
