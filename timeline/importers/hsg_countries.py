"""The Office of the Historian's countries as ISO codes, as they were on the record's date.

The Historian names a country by a slug and a label (``<country id="russia">U.S.S.R.``),
and one slug may carry several names over time. The label is read first: a state that no
longer exists gets its former ISO 3166-3 code (``SU``, ``YU``, ``CS``, ``DD``…), never the
code of a state that exists now. Then the date: a place that belonged to a former state
on that date (Kyiv in 1972, Ljubljana in 1980, Bratislava in 1990) gets the former
state's code, whatever its slug says. A name with no code at all (the Kingdom of Hawaii)
is None, and the import says so.

South Vietnam (the Republic of Vietnam, 1955-1976) is ``VN``: ISO 3166 gave it that code
in 1974 and the unified state kept it, so there is no former code to give; North Vietnam
is ``VD``. West Germany is ``DE`` for the same reason.
"""

from __future__ import annotations

import datetime as dt

from timeline.events import ids
from timeline.events.countries import FORMER

# Slug (or a label written as a slug) -> current ISO 3166-1 alpha-2 code. Renamed states
# are here under every name (burma, zaire, ceylon): the code followed the state.
_CODES = """
    afghanistan AF  albania AL  algeria DZ  andorra AD  angola AO  antigua-barbuda AG
    antigua-and-barbuda AG  argentina AR  armenia AM  australia AU  austria AT
    azerbaijan AZ  bahamas BS  bahamas-the BS  bahrain BH  bangladesh BD  barbados BB
    belarus BY  belgium BE  belize BZ  benin BJ  dahomey BJ  bermuda BM  bhutan BT
    bolivia BO  bosnia-herzegovina BA  bosnia-and-herzegovina BA  botswana BW  brazil BR
    brunei BN  brunei-darussalam BN  bulgaria BG  burkina-faso BF  upper-volta BF
    burma MM  myanmar MM  burundi BI  cambodia KH  kampuchea KH  cameroon CM  canada CA
    cape-verde CV  cabo-verde CV  central-african-republic CF  chad TD  chile CL
    china CN  china-peoples-republic-of CN  peoples-republic-of-china CN  colombia CO
    comoros KM  congo-democratic-republic CD  democratic-republic-of-the-congo CD
    democratic-republic-of-the-congo-zaire CD  zaire CD  congo-republic CG
    congo-republic-of CG  republic-of-the-congo CG  cook-islands CK  costa-rica CR
    cote-divoire CI  cote-d-ivoire CI  ivory-coast CI  croatia HR  cuba CU  cyprus CY
    czech-republic CZ  czechia CZ  denmark DK  djibouti DJ  dominica DM
    dominican-republic DO  east-timor TL  timor-leste TL  ecuador EC  egypt EG
    el-salvador SV  equatorial-guinea GQ  eritrea ER  estonia EE  eswatini SZ
    swaziland SZ  ethiopia ET  fiji FJ  finland FI  france FR  french-polynesia PF
    gabon GA  gambia GM  gambia-the GM  georgia GE  germany DE
    germany-federal-republic-of DE  federal-republic-of-germany DE  west-germany DE
    ghana GH  greece GR  greenland GL  denmark-greenland GL  grenada GD  guatemala GT
    guinea GN  guinea-bissau GW  guyana GY  haiti HT  holy-see VA  vatican-city VA
    honduras HN  hong-kong HK  hungary HU  iceland IS  india IN  indonesia ID  iran IR
    persia IR  iraq IQ  ireland IE  israel IL  italy IT  jamaica JM  japan JP  jordan JO
    kazakhstan KZ  kenya KE  kiribati KI  korea-north KP  north-korea KP  korea-south KR
    south-korea KR  korea-republic-of KR  republic-of-korea KR  korea KR  kosovo XK
    kuwait KW  kyrgyzstan KG  laos LA  latvia LV  lebanon LB  lesotho LS  liberia LR
    libya LY  liechtenstein LI  lithuania LT  luxembourg LU  macau MO  macao MO
    macedonia MK  north-macedonia MK  madagascar MG  malawi MW  malaysia MY
    maldives MV  mali ML  malta MT  marshall-islands MH  mauritania MR  mauritius MU
    mexico MX  micronesia FM  moldova MD  monaco MC  mongolia MN  montenegro ME
    morocco MA  mozambique MZ  namibia NA  nauru NR  nepal NP  netherlands NL
    new-caledonia NC  new-zealand NZ  nicaragua NI  niger NE  nigeria NG  niue NU
    norway NO  oman OM  pakistan PK  palau PW  palestinian-authority PS
    palestinian-territories PS  west-bank PS  gaza PS  panama PA  papua-new-guinea PG
    paraguay PY  peru PE  philippines PH  poland PL  portugal PT  puerto-rico PR
    qatar QA  romania RO  russia RU  russian-federation RU  rwanda RW
    saint-kitts-and-nevis KN  saint-lucia LC  saint-vincent-and-the-grenadines VC
    samoa WS  somoa WS  western-samoa WS  san-marino SM  sao-tome-and-principe ST
    saudi-arabia SA  senegal SN  serbia RS  seychelles SC  sierra-leone SL
    singapore SG  slovakia SK  slovenia SI  solomon-islands SB  somalia SO
    somali-republic SO  south-africa ZA  south-sudan SS  spain ES  sri-lanka LK
    ceylon LK  sudan SD  suriname SR  sweden SE  switzerland CH  syria SY  taiwan TW
    tajikistan TJ  tanzania TZ  thailand TH  siam TH  togo TG  tonga TO
    trinidad-and-tobago TT  tunisia TN  turkey TR  turkiye TR  turkmenistan TM
    tuvalu TV  uganda UG  ukraine UA  united-arab-emirates AE  united-kingdom GB
    great-britain GB  united-states US  uruguay UY  uzbekistan UZ  vanuatu VU
    venezuela VE  vietnam VN  viet-nam VN  yemen YE  zambia ZM  zimbabwe ZW
"""
SLUGS: dict[str, str] = dict(zip(_CODES.split()[::2], _CODES.split()[1::2], strict=True))
"""Current codes by slug or slugified label."""

# Labels (slugified) of states that no longer exist, and the former code each had. The
# Historian also names some by a current slug ("russia" for the U.S.S.R.).
FORMER_NAMES: dict[str, str] = {
    "u-s-s-r": "SU",
    "ussr": "SU",
    "soviet-union": "SU",
    "union-of-soviet-socialist-republics": "SU",
    "yugoslavia": "YU",
    "federal-republic-of-yugoslavia": "YU",
    "serbia-and-montenegro": "CS",
    "czechoslovakia": "CS",
    "german-democratic-republic": "DD",
    "germany-german-democratic-republic": "DD",
    "germany-east": "DD",
    "east-germany": "DD",
    "yemen-south": "YD",
    "south-yemen": "YD",
    "peoples-democratic-republic-of-yemen": "YD",
    "vietnam-north": "VD",
    "north-vietnam": "VD",
    "democratic-republic-of-vietnam": "VD",
    "netherlands-antilles": "AN",
}

_D = dt.date
# Current codes whose territory belonged to a former state for a while: the former code
# for a date in that while. The periods run to the day the state became independent.
_PART_OF: dict[str, tuple[tuple[dt.date, dt.date, str], ...]] = {
    **{
        code: ((_D(1922, 12, 30), _D(1991, 12, 26), "SU"),)
        for code in ("AM", "AZ", "BY", "GE", "KG", "KZ", "MD", "RU", "TJ", "TM", "UA", "UZ")
    },
    **{code: ((_D(1940, 8, 3), _D(1991, 9, 6), "SU"),) for code in ("EE", "LT", "LV")},
    "SI": ((_D(1918, 12, 1), _D(1991, 6, 24), "YU"),),
    "HR": ((_D(1918, 12, 1), _D(1991, 6, 24), "YU"),),
    "MK": ((_D(1918, 12, 1), _D(1991, 9, 7), "YU"),),
    "BA": ((_D(1918, 12, 1), _D(1992, 3, 2), "YU"),),
    "RS": ((_D(1918, 12, 1), _D(2003, 2, 3), "YU"), (_D(2003, 2, 4), _D(2006, 6, 4), "CS")),
    "ME": ((_D(1918, 12, 1), _D(2003, 2, 3), "YU"), (_D(2003, 2, 4), _D(2006, 6, 2), "CS")),
    "XK": ((_D(1918, 12, 1), _D(2003, 2, 3), "YU"), (_D(2003, 2, 4), _D(2006, 6, 4), "CS")),
    "CZ": ((_D(1918, 10, 28), _D(1992, 12, 31), "CS"),),
    "SK": ((_D(1918, 10, 28), _D(1992, 12, 31), "CS"),),
}


def slugify(text: str) -> str:
    """A label as the Historian writes slugs: ASCII, lower case, words joined by hyphens."""
    text = text.replace("'", "").replace("\u2019", "")  # People's, Cote d'Ivoire: one word
    return ids.slugify(text, max_len=300)


def country_code(slug: str | None, label: str | None, day: dt.date) -> str | None:
    """The ISO code for the Historian's *slug* and *label* on *day*, or None if there is none.

    A former state named by its label keeps its former code even when the slug is a
    current country's. Yugoslavia and Serbia and Montenegro are told apart by the date
    (``CS`` from 4 February 2003, ``YU`` before), as the state itself changed its name.
    """
    names = (slugify(label or ""), slugify(slug or ""))
    former = next((FORMER_NAMES[n] for n in names if n in FORMER_NAMES), None)
    if "czechoslovakia" not in names and former in ("YU", "CS"):
        first, last = _SERBIA_AND_MONTENEGRO
        former = "CS" if first <= day <= last else "YU"
    if former is not None:
        return former
    code = next((SLUGS[n] for n in names if n in SLUGS), None)
    if code is None:
        return None
    for first, last, then in _PART_OF.get(code, ()):
        if first <= day <= last:
            return then
    return code


_SERBIA_AND_MONTENEGRO = next(
    (first, last) for name, first, last in FORMER["CS"] if name == "Serbia and Montenegro"
)
