"""Countries as they were: former codes with their dates, Kosovo, organisations as parties."""

from __future__ import annotations

import pytest
from timeline.events.countries import FORMER, ORGANISATIONS, is_country, is_party

from timeline import service
from timeline.db import Database
from timeline.errors import InvalidEvent


def visit(host: str, when: str, **more: object) -> dict[str, object]:
    return {
        "title": "A visit",
        "when": when,
        "visitor": "Richard Nixon",
        "host_country": host,
    } | more


@pytest.mark.parametrize("code", ["SU", "YU", "CS", "DD", "YD", "VD", "AN", "XK", "RU", "DE"])
def test_former_and_current_codes_name_states(code: str) -> None:
    assert is_country(code)


@pytest.mark.parametrize("code", ["EU", "UN", "NATO", "ASEAN", "AFU"])
def test_organisations_are_parties_but_not_countries(code: str) -> None:
    assert is_party(code)
    assert not is_country(code)
    assert code in ORGANISATIONS


def test_a_former_code_is_accepted_in_its_time() -> None:
    sub = service.submit("VisitMade", visit("su", "1972-05-22/1972-05-30"))
    assert sub.event.host_country == "SU"


def test_a_former_code_outside_its_time_is_refused_naming_the_field() -> None:
    with pytest.raises(InvalidEvent) as caught:
        service.submit("VisitMade", visit("SU", "1995-05-22"))
    assert str(caught.value) == (
        "data.host_country: 'SU' is a former code, valid only for U.S.S.R. "
        "1922-12-30 to 1991-12-26, not for 1995-05-22"
    )


def test_a_span_that_touches_the_codes_last_days_is_accepted() -> None:
    service.submit("VisitMade", visit("SU", "1991-12-20/1992-01-05"))


def test_an_open_end_goes_on_so_only_a_state_gone_before_its_start_is_refused() -> None:
    # From 1945 on: the GDR (1949 to 1990) may well be part of it.
    service.submit("VisitMade", visit("DD", "1945/.."))
    service.submit("VisitMade", visit("SU", "1991-24/.."))  # winter 1991: December 1991 on
    with pytest.raises(InvalidEvent) as caught:
        service.submit("VisitMade", visit("SU", "1992-21/.."))
    assert str(caught.value) == (
        "data.host_country: 'SU' is a former code, valid only for U.S.S.R. "
        "1922-12-30 to 1991-12-26, not for 1992-03-01/.."
    )


def test_cs_names_czechoslovakia_and_later_serbia_and_montenegro() -> None:
    service.submit("VisitMade", visit("CS", "1968-08"))
    service.submit("VisitMade", visit("CS", "2005"))
    with pytest.raises(InvalidEvent, match=r"data\.host_country: 'CS' is a former code"):
        service.submit("VisitMade", visit("CS", "1998-01-01"))


def test_a_former_code_in_a_place_or_a_participant_is_dated_too() -> None:
    with pytest.raises(InvalidEvent, match=r"^data\.place\.country: 'DD'"):
        service.submit("VisitMade", visit("FR", "1995", place={"city": "Berlin", "country": "DD"}))
    with pytest.raises(InvalidEvent, match=r"^data\.participants\[0\]\.country: 'YU'"):
        service.submit(
            "MeetingHeld",
            {
                "title": "A meeting",
                "when": "2010",
                "participants": [{"name": "A", "country": "YU"}],
            },
        )


def test_an_organisation_is_a_party_to_an_agreement_but_not_a_host() -> None:
    sub = service.submit(
        "AgreementReached",
        {"title": "A", "when": "2020", "points": ["x"], "parties": ["eu", "NATO", "US", "AFU"]},
    )
    assert sub.event.parties == ("EU", "NATO", "US", "AFU")
    with pytest.raises(InvalidEvent, match=r"^data\.host_country: 'EU' is not an ISO 3166-1"):
        service.submit("VisitMade", visit("EU", "2020"))


def test_every_former_period_is_ordered() -> None:
    for periods in FORMER.values():
        for _name, first, last in periods:
            assert first < last


def test_a_revision_that_moves_a_former_state_out_of_its_time_is_refused(db: Database) -> None:
    service.append_one(
        db, service.submit("VisitMade", visit("SU", "1972-05-22", development="nixon-moscow"))
    )

    def revise(changes: dict[str, object]) -> None:
        data = {"development": "nixon-moscow", "changes": changes, "reason": "r"}
        service.append_one(db, service.submit("DevelopmentRevised", data))

    with pytest.raises(InvalidEvent) as caught:
        revise({"when": "1995-01-01"})
    assert caught.value.field == "data.changes.when"
    assert "'SU' is a former code" in str(caught.value)
    with pytest.raises(InvalidEvent) as caught:
        revise({"place": {"city": "East Berlin", "country": "DD"}, "when": "1948"})
    assert caught.value.field == "data.changes.place.country"
    revise({"when": "1974-07"})
    assert service.development_history(db, "nixon-moscow")[0].when == "1974-07"
