"""Country codes for validating country fields: ISO 3166-1 alpha-2 as it is now, the
former codes of states that no longer exist (ISO 3166-3) with the dates they were valid,
and the few organisations that sign agreements as parties.

A state that ceased to exist keeps its own code (the U.S.S.R. is ``SU``, never ``RU``), so
a record of 1975 says what it meant then; a state that was only renamed (Zaire, Burma,
Ceylon) has its current code, because the code followed the state.
"""

from __future__ import annotations

import datetime as dt

# The 249 officially assigned ISO 3166-1 alpha-2 codes, grouped by first letter.
_OFFICIAL = """
    AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ
    BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV BW BY BZ
    CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ
    DE DJ DK DM DO DZ
    EC EE EG EH ER ES ET
    FI FJ FK FM FO FR
    GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY
    HK HM HN HR HT HU
    ID IE IL IM IN IO IQ IR IS IT
    JE JM JO JP
    KE KG KH KI KM KN KP KR KW KY KZ
    LA LB LC LI LK LR LS LT LU LV LY
    MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ
    NA NC NE NF NG NI NL NO NP NR NU NZ
    OM
    PA PE PF PG PH PK PL PM PN PR PS PT PW PY
    QA
    RE RO RS RU RW
    SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ
    TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ
    UA UG UM US UY UZ
    VA VC VE VG VI VN VU
    WF WS
    YE YT
    ZA ZM ZW
"""

ALPHA2: frozenset[str] = frozenset(_OFFICIAL.split()) | {
    # Kosovo: "XK" is a user-assigned code, not an official ISO one, but it is used
    # almost universally (EU, IMF, World Bank, ...), so diplomatic data needs it.
    "XK",
}


def is_alpha2(code: str) -> bool:
    """Tell whether code is an accepted alpha-2 code; exact match, uppercase only."""
    return isinstance(code, str) and code in ALPHA2


_D = dt.date

FORMER: dict[str, tuple[tuple[str, dt.date, dt.date], ...]] = {
    # code: (name, first day, last day) for each period the code named a state. ISO 3166-3
    # withdrew these codes; dates are when the state began and ceased to exist.
    "SU": (("U.S.S.R.", _D(1922, 12, 30), _D(1991, 12, 26)),),
    "YU": (("Yugoslavia", _D(1918, 12, 1), _D(2003, 2, 3)),),
    # ISO gave CS twice: to Czechoslovakia, and later to Serbia and Montenegro.
    "CS": (
        ("Czechoslovakia", _D(1918, 10, 28), _D(1992, 12, 31)),
        ("Serbia and Montenegro", _D(2003, 2, 4), _D(2006, 6, 4)),
    ),
    "DD": (("German Democratic Republic", _D(1949, 10, 7), _D(1990, 10, 2)),),
    "YD": (("Yemen, Democratic (South Yemen)", _D(1967, 11, 30), _D(1990, 5, 21)),),
    "VD": (("Viet-Nam, Democratic Republic of (North Vietnam)", _D(1945, 9, 2), _D(1976, 7, 1)),),
    "AN": (("Netherlands Antilles", _D(1954, 12, 15), _D(2010, 10, 9)),),
}
"""Former codes (ISO 3166-3) of states that ceased to exist, and when each was valid."""

ORGANISATIONS: dict[str, str] = {
    "EU": "European Union",
    "UN": "United Nations",
    "NATO": "North Atlantic Treaty Organization",
    "ASEAN": "Association of Southeast Asian Nations",
    # "AU" is Australia's code, so the African Union needs another.
    "AFU": "African Union",
}
"""Organisations accepted as parties to an agreement (never as a place or a host country)."""


def is_country(code: str) -> bool:
    """Tell whether *code* names a state: a current alpha-2 code or a former one."""
    return isinstance(code, str) and (code in ALPHA2 or code in FORMER)


def is_party(code: str) -> bool:
    """Tell whether *code* may be a party to an agreement: a state or an organisation."""
    return is_country(code) or (isinstance(code, str) and code in ORGANISATIONS)


def validity_problem(code: str, start: dt.date, end: dt.date | None) -> str | None:
    """Why a former *code* cannot name a state from *start* to *end*, or None when it can.

    The code must have been valid on at least one day of the span: a visit that began in
    the last days of the U.S.S.R. is still a visit to the U.S.S.R. An *end* of None is
    open (``1991-06/..``): the span goes on, so only a state gone before *start* fails.
    Current codes and organisations always pass.
    """
    periods = FORMER.get(code)
    if periods is None or any(
        (end is None or first <= end) and start <= last for _, first, last in periods
    ):
        return None
    if end is None:
        when = f"{start.isoformat()}/.."
    else:
        when = start.isoformat() if start == end else f"{start.isoformat()}/{end.isoformat()}"
    valid = ", ".join(
        f"{name} {first.isoformat()} to {last.isoformat()}" for name, first, last in periods
    )
    return f"{code!r} is a former code, valid only for {valid}, not for {when}"
