"""Writing from the browser and over HTTP: editors (`timeline editor`), the JSON API
(``POST /-/timeline/<db>/events``), the ``timeline-append`` permission, sign-in and the
forms, through the real Datasette app (``ds.client``) on a real database file."""

from __future__ import annotations

import asyncio
import json
import os
import re
import stat
from collections.abc import Awaitable, Callable
from http.cookies import SimpleCookie
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

import pytest
from datasette.app import Datasette
from support import assert_log_is_sound, count, import_sample
from timeline.events.vocabulary import CLEARABLE, HELD_KINDS, TRANSITIONS

from timeline import service
from timeline.cli import cli
from timeline.datasette_plugin.api import MAX_BODY
from timeline.db import open_db
from timeline.editors import EditorsFile, default_path
from timeline.log import EventLog

if TYPE_CHECKING:  # ds.client's responses: httpx's before Datasette 1.0, httpx2's after
    import httpx

SCHEDULED = "china-us-ai-dialogue-first-meeting"  # in the sample, status scheduled
MEETING = "2024-04-26-xi-jinping-meets-antony-blinken"
EVENT_ID = "11111111-1111-4111-8111-111111111111"


def meeting(title: str = "Ana meets Ben", **extra: Any) -> dict[str, Any]:
    data = {
        "title": title,
        "when": "2024-05-02",
        "participants": [{"name": "Ana"}, {"name": "Ben"}],
    }
    return {"type": "MeetingHeld", "data": data, **extra}


class Site:
    """A Datasette on the test's databases, and its editors' tokens."""

    def __init__(
        self, paths: list[Path], tokens: dict[str, str], *, immutable: bool = False, **options: Any
    ) -> None:
        self.paths = paths
        self.tokens = tokens
        self.immutable = immutable
        self.options = options

    def run(self, scenario: Callable[[Datasette], Awaitable[Any]]) -> Any:
        """Run *scenario* against a freshly started Datasette (one event loop, as a server)."""

        async def main() -> Any:
            paths = [str(p) for p in self.paths]
            ds = (
                Datasette(immutables=paths, **self.options)
                if self.immutable
                else Datasette(paths, **self.options)
            )
            await ds.invoke_startup()
            return await scenario(ds)

        return asyncio.run(main())

    def post(
        self, body: str | bytes, editor: str | None = "Ana Lima", **headers: str
    ) -> httpx.Response:
        """POST *body* to the events API of the first database, as *editor*."""
        if editor is not None:
            headers.setdefault("Authorization", f"Bearer {self.tokens[editor]}")

        async def scenario(ds: Datasette) -> httpx.Response:
            return await ds.client.post(
                f"/-/timeline/{self.paths[0].stem}/events", content=body, headers=headers
            )

        return self.run(scenario)


@pytest.fixture
def site(db, db_path: Path, tmp_path: Path, plugin) -> Site:
    """The sample in ``timeline.db`` with two editors, and ``other.db`` with one of its own."""
    import_sample(db)
    editors = EditorsFile(default_path(db_path))
    tokens = {name: editors.add(name) for name in ("Ana Lima", "Ben Okafor")}
    other = tmp_path / "other.db"
    open_db(other).close()
    tokens["Cy"] = EditorsFile(default_path(other)).add("Cy")
    return Site([db_path, other], tokens)


def events_of(db_path: Path) -> list[Any]:
    db = open_db(db_path, create=False)
    try:
        return list(EventLog(db).read())
    finally:
        db.close()


# --- the JSON API -------------------------------------------------------------------


def test_an_editor_posts_one_event_and_gets_201_with_where_it_landed(
    site: Site, db_path: Path
) -> None:
    response = site.post(json.dumps(meeting(id=EVENT_ID)))
    assert response.status_code == 201
    assert response.json() == {
        "events": [
            {
                "seq": 28,
                "id": EVENT_ID,
                "stream": "2024-05-02-ana-meets-ben",
                "stream_version": 1,
                "development": "2024-05-02-ana-meets-ben",
            }
        ],
        "appended": 1,
    }
    last = events_of(db_path)[-1]
    assert (last.type, last.meta) == ("MeetingHeld", {"recorded_by": "Ana Lima"})
    db = open_db(db_path, create=False)
    row = db.execute(
        "SELECT title, participants FROM developments WHERE id = '2024-05-02-ana-meets-ben'"
    ).fetchone()
    assert row == ("Ana meets Ben", '["Ana", "Ben"]')


def test_posting_the_same_event_again_is_200_and_writes_nothing(site: Site, db_path: Path) -> None:
    body = json.dumps(meeting(id=EVENT_ID))
    first = site.post(body)
    again = site.post(body, editor="Ben Okafor")
    assert again.status_code == 200
    assert again.json() == {**first.json(), "appended": 0}
    assert len(events_of(db_path)) == 28


def test_json_lines_are_appended_all_together_in_their_order(site: Site, db_path: Path) -> None:
    lines = [
        json.dumps(
            {
                "type": "DevelopmentPostponed",
                "data": {"development": SCHEDULED, "when": "2024-07"},
                "expected_version": 1,
            }
        ),
        "",
        json.dumps(meeting()),
    ]
    response = site.post("\n".join(lines) + "\n", editor="Ben Okafor")
    assert response.status_code == 201
    answer = response.json()
    assert answer["appended"] == 2
    assert [(e["seq"], e["stream"], e["stream_version"]) for e in answer["events"]] == [
        (28, SCHEDULED, 2),
        (29, "2024-05-02-ana-meets-ben", 1),
    ]
    assert [e.meta for e in events_of(db_path)[-2:]] == [{"recorded_by": "Ben Okafor"}] * 2


def test_a_refused_line_is_400_naming_field_and_line_and_nothing_is_written(
    site: Site, db_path: Path
) -> None:
    before = events_of(db_path)
    bad = meeting()
    del bad["data"]["title"]
    response = site.post(json.dumps(meeting()) + "\n" + json.dumps(bad) + "\n")
    assert response.status_code == 400
    assert response.json() == {"error": "line 2: data.title: is required"}
    assert events_of(db_path) == before


@pytest.mark.parametrize(
    ("body", "error"),
    [
        ("[1, 2]", "send one event as a JSON object, or JSON Lines of them"),
        ("", "no event: send one as a JSON object, or JSON Lines of them"),
        ('{"type": ', "line 1: not valid JSON: Expecting value (column 10)"),
        (
            json.dumps({"type": "Nope", "data": {}}),
            "type: unknown event type 'Nope'; known types: ActorDescribed, AgreementReached, CallHeld, DevelopmentCancelled, DevelopmentHeld, DevelopmentPostponed, DevelopmentRetracted, DevelopmentRevised, DevelopmentScheduled, DevelopmentsLinked, DevelopmentsMerged, DevelopmentsUnmerged, MeetingHeld, StatementMade, SummitHeld, TalksHeld, VisitMade",
        ),
    ],
)
def test_a_body_that_is_not_events_is_400(site: Site, body: str, error: str) -> None:
    response = site.post(body)
    assert (response.status_code, response.json()) == (400, {"error": error})


def test_a_body_that_is_not_utf8_is_400(site: Site) -> None:
    response = site.post(b'{"type": "\xff"}')
    assert response.status_code == 400
    assert response.json() == {"error": "not UTF-8 text (invalid start byte at byte 11)"}


def test_the_server_sets_who_recorded_an_event_and_refuses_another_name(
    site: Site, db_path: Path
) -> None:
    response = site.post(json.dumps(meeting(meta={"recorded_by": "Xi Jinping", "note": "x"})))
    assert response.status_code == 400
    assert response.json() == {
        "error": "meta.recorded_by: is set by the server to who sends the event ('Ana Lima'), not 'Xi Jinping': leave it out"
    }
    assert (
        site.post(json.dumps(meeting(meta={"recorded_by": "Ana Lima", "note": "x"}))).status_code
        == 201
    )
    assert events_of(db_path)[-1].meta == {"recorded_by": "Ana Lima", "note": "x"}


def test_without_a_token_or_with_a_wrong_one_it_is_401(site: Site, db_path: Path) -> None:
    missing = site.post(json.dumps(meeting()), editor=None)
    assert (missing.status_code, missing.json()) == (
        401,
        {"error": "send an editor's token as Authorization: Bearer TOKEN"},
    )
    assert missing.headers["www-authenticate"] == 'Bearer realm="timeline"'
    forged = site.tokens["Ana Lima"][:-4] + "AAAA"
    wrong = site.post(json.dumps(meeting()), editor=None, Authorization=f"Bearer {forged}")
    assert (wrong.status_code, wrong.json()) == (401, {"error": "the token is not an editor's"})
    assert len(events_of(db_path)) == 27


def test_a_removed_editors_token_stops_working(site: Site, db_path: Path) -> None:
    EditorsFile(default_path(db_path)).remove("ana lima")
    assert site.post(json.dumps(meeting())).status_code == 401
    assert site.post(json.dumps(meeting()), editor="Ben Okafor").status_code == 201


def test_an_editor_of_another_database_is_403(site: Site, db_path: Path) -> None:
    response = site.post(json.dumps(meeting()), editor="Cy")
    assert (response.status_code, response.json()) == (
        403,
        {"error": "Cy may not append events to timeline"},
    )
    assert len(events_of(db_path)) == 27


def test_a_stale_expected_version_is_409_saying_the_current_one(site: Site, db_path: Path) -> None:
    body = {
        "type": "DevelopmentCancelled",
        "data": {"development": SCHEDULED},
        "expected_version": 3,
    }
    response = site.post(json.dumps(body))
    assert response.status_code == 409
    assert response.json() == {
        "error": f"expected_version: stream {SCHEDULED} is at version 1, not 3; nothing was written"
    }


def test_an_event_id_reused_with_other_content_is_409(site: Site) -> None:
    assert site.post(json.dumps(meeting(id=EVENT_ID))).status_code == 201
    response = site.post(json.dumps(meeting("Another title", id=EVENT_ID)))
    assert response.status_code == 409
    assert "already in the log" in response.json()["error"]


def test_a_body_over_the_limit_is_413(site: Site, db_path: Path) -> None:
    response = site.post(" " * (MAX_BODY + 1))
    assert response.status_code == 413
    assert response.json() == {
        "error": f"the body is larger than {MAX_BODY} bytes: send fewer events at once"
    }


def test_get_is_405_and_an_unknown_database_404(site: Site) -> None:
    async def scenario(ds: Datasette) -> list[httpx.Response]:
        return [
            await ds.client.get("/-/timeline/timeline/events"),
            await ds.client.post("/-/timeline/nope/events", content="{}"),
        ]

    get, unknown = site.run(scenario)
    assert (get.status_code, get.headers["allow"]) == (405, "POST")
    assert unknown.status_code == 404


def test_a_database_served_immutable_takes_no_writes(site: Site, db_path: Path) -> None:
    """Datasette trusts an immutable file (``-i``, a snapshot's replica) never to change."""
    response = Site([db_path], site.tokens, immutable=True).post(json.dumps(meeting()))
    assert (response.status_code, response.json()) == (
        403,
        {"error": "timeline is served read-only (immutable): write where the log is kept"},
    )
    assert len(events_of(db_path)) == 27


# --- signing in, and the forms ------------------------------------------------------------


class Browser:
    """One browser on the site: keeps its cookies (the signed actor, the CSRF token)."""

    def __init__(self, ds: Datasette) -> None:
        self.ds = ds
        self.cookies: dict[str, str] = {}

    def _headers(self) -> dict[str, str]:
        return (
            {"cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
            if self.cookies
            else {}
        )

    def _keep(self, response: httpx.Response) -> httpx.Response:
        for header in response.headers.get_list("set-cookie"):
            for name, morsel in SimpleCookie(header).items():
                if morsel.value:
                    self.cookies[name] = morsel.value
                else:
                    self.cookies.pop(name, None)
        return response

    async def get(self, path: str) -> httpx.Response:
        return self._keep(await self.ds.client.get(path, headers=self._headers()))

    async def submit(
        self, path: str, fields: dict[str, Any], *, csrf: bool = True
    ) -> httpx.Response:
        """Open the form at *path*, fill in *fields* (a list for repeated ones) and send it."""
        page = await self.get(path)
        assert page.status_code == 200, page.text
        found = re.findall(r'name="(csrftoken|expected_version)" value="([^"]*)"', page.text)
        hidden = dict(found)
        if not csrf:  # as another site's page posts it: without the token, saying where from
            hidden.pop("csrftoken")
            return await self.post(path, {**hidden, **fields}, elsewhere=True)
        return await self.post(path, {**hidden, **fields})

    async def post(
        self, path: str, fields: dict[str, Any], *, elsewhere: bool = False
    ) -> httpx.Response:
        pairs = [(k, v) for k, vs in fields.items() for v in (vs if isinstance(vs, list) else [vs])]
        headers = {**self._headers(), "content-type": "application/x-www-form-urlencoded"}
        if elsewhere:
            headers.update({"origin": "https://elsewhere.example", "sec-fetch-site": "cross-site"})
        body = urlencode(pairs)
        return self._keep(await self.ds.client.post(path, content=body, headers=headers))

    async def sign_in(self, token: str) -> httpx.Response:
        return await self.submit("/-/timeline-signin", {"token": token})


def test_signing_in_with_a_token_sets_the_actor_and_a_wrong_one_is_refused(site: Site) -> None:
    async def scenario(ds: Datasette) -> tuple[Any, ...]:
        browser = Browser(ds)
        wrong = await browser.sign_in("tl_nope_nope")
        right = await browser.sign_in(site.tokens["Ana Lima"])
        page = await browser.get("/-/timeline-signin")
        actor = await browser.get("/-/actor.json")
        return wrong, right, page, actor.json()

    wrong, right, page, actor = site.run(scenario)
    assert wrong.status_code == 401
    assert "That token is not an editor&#39;s: check it, or ask for a new one." in wrong.text
    assert (right.status_code, right.headers["location"]) == (302, "/")
    assert "You are signed in as <strong>Ana Lima</strong>" in page.text
    assert actor["actor"]["name"] == "Ana Lima"
    assert actor["actor"]["id"] == f"timeline-editor:{site.tokens['Ana Lima'].split('_')[1]}"


def test_signing_in_from_the_menu_comes_back_and_signing_out_forgets(site: Site) -> None:
    async def scenario(ds: Datasette) -> tuple[Any, ...]:
        browser = Browser(ds)
        table = await browser.get("/timeline/developments?kind=call")
        link = re.search(r'<a href="([^"]*)">Sign in to edit</a>', table.text)[1].replace(
            "&amp;", "&"
        )
        signed = await browser.submit(link, {"token": site.tokens["Ana Lima"]})
        menu = await browser.get("/timeline/developments")
        page = await browser.get("/-/timeline-signin")
        token = re.search(r'name="csrftoken" value="([^"]*)"', page.text)[1]
        out = await browser.post("/-/timeline-signout", {"csrftoken": token})
        after = await browser.get("/-/actor.json")
        return link, signed, menu, out, after.json()

    link, signed, menu, out, after = site.run(scenario)
    assert link == "/-/timeline-signin?next=%2Ftimeline%2Fdevelopments%3Fkind%3Dcall"
    assert signed.headers["location"] == "/timeline/developments?kind=call"
    assert "Signed in as Ana Lima: sign out" in menu.text
    assert (out.status_code, out.headers["location"]) == (302, "/")
    assert after["actor"] is None


def test_a_visitor_sees_no_write_controls_and_cannot_open_a_form(site: Site) -> None:
    async def scenario(ds: Datasette) -> tuple[Any, ...]:
        browser = Browser(ds)
        return (
            await browser.get("/timeline/developments"),
            await browser.get(f"/timeline/developments/{SCHEDULED}"),
            await browser.get("/-/timeline/timeline/add/meeting"),
            await browser.get(f"/-/timeline/timeline/developments/{SCHEDULED}/postpone"),
            await browser.post("/-/timeline/timeline/add/meeting", {"title": "x"}),
        )

    table, row, add, action, posted = site.run(scenario)
    assert "Add a development" not in table.text
    assert "Sign in to edit" in table.text
    assert "Record what happened to it" not in row.text
    assert (add.status_code, action.status_code) == (403, 403)
    assert "Sign in as an editor to write" in add.text
    assert posted.status_code == 403


def test_an_editor_adds_a_meeting_from_the_form(site: Site, db_path: Path) -> None:
    fields = {
        "title": "Ana meets Ben",
        "when": "2024-05-02",
        "place_name": "Diaoyutai",
        "city": "Beijing",
        "place_country": "CN",
        "participants": "Ana; Editor; PT\r\nBen; Reporter; NG\r\n",
        "sources": "https://example.org/a; An article",
        "tags": "press\nfirst",
    }

    async def scenario(ds: Datasette) -> tuple[Any, ...]:
        browser = Browser(ds)
        await browser.sign_in(site.tokens["Ana Lima"])
        table = await browser.get("/timeline/developments")
        posted = await browser.submit("/-/timeline/timeline/add/meeting", fields)
        row = await browser.get(posted.headers["location"])
        return table, posted, row

    table, posted, row = site.run(scenario)
    assert "Add a development or an actor" in table.text
    assert (posted.status_code, posted.headers["location"]) == (
        302,
        "/timeline/developments/2024-05-02-ana-meets-ben",
    )
    assert "Add: meeting: recorded as event 28" in row.text
    assert "Record what happened to it" in row.text
    last = events_of(db_path)[-1]
    assert (last.type, last.meta) == ("MeetingHeld", {"recorded_by": "Ana Lima"})
    assert last.data == {
        "development": "2024-05-02-ana-meets-ben",
        "title": "Ana meets Ben",
        "when": "2024-05-02",
        "place": {"name": "Diaoyutai", "city": "Beijing", "country": "CN"},
        "participants": [
            {"name": "Ana", "role": "Editor", "country": "PT"},
            {"name": "Ben", "role": "Reporter", "country": "NG"},
        ],
        "sources": [{"url": "https://example.org/a", "title": "An article"}],
        "tags": ["press", "first"],
    }


def test_a_refused_form_keeps_what_was_typed_and_says_why_beside_the_field(
    site: Site, db_path: Path
) -> None:
    async def scenario(ds: Datasette) -> list[httpx.Response]:
        browser = Browser(ds)
        await browser.sign_in(site.tokens["Ana Lima"])
        base = "/-/timeline/timeline/add/meeting"
        return [
            await browser.submit(base, {"when": "2024-05-02", "participants": "Ana"}),
            await browser.submit(
                base, {"title": "T", "when": "2024-05-02", "participants": "Ana\nBen; x; CN; extra"}
            ),
            await browser.submit(
                base, {"title": "T", "when": "2024-05-02", "participants": "Ana; ; ZZZ"}
            ),
            await browser.submit(
                base, {"title": "T", "when": "2024-05-02", "participants": "Ana", "lat": "north"}
            ),
        ]

    no_title, parts, country, lat = site.run(scenario)
    assert no_title.status_code == 400
    assert (
        '<div class="field-error" id="error-title" role="alert">is required</div>' in no_title.text
    )
    assert 'name="when" value="2024-05-02"' in no_title.text
    assert ">Ana</textarea>" in no_title.text
    assert (
        "line 2: &#39;Ben; x; CN; extra&#39; has more than 3 parts; use NAME; ROLE; COUNTRY"
        in parts.text
    )
    assert 'id="error-participants"' in country.text
    assert "line 1: country:" in country.text
    assert 'id="error-lat" role="alert">&#39;north&#39; is not a number<' in lat.text
    assert len(events_of(db_path)) == 27


def test_an_editor_postpones_and_a_stale_form_is_refused(site: Site, db_path: Path) -> None:
    path = f"/-/timeline/timeline/developments/{SCHEDULED}/postpone"

    async def scenario(ds: Datasette) -> tuple[Any, ...]:
        ana, ben = Browser(ds), Browser(ds)
        await ana.sign_in(site.tokens["Ana Lima"])
        await ben.sign_in(site.tokens["Ben Okafor"])
        form = await ana.get(path)
        stale_fields = dict(
            re.findall(r'name="(csrftoken|expected_version)" value="([^"]*)"', form.text)
        )
        done = await ben.submit(path, {"when": "2024-07", "reason": "agenda not agreed"})
        stale = await ana.post(path, {**stale_fields, "when": "2024-08"})
        return form, done, stale

    form, done, stale = site.run(scenario)
    assert 'name="expected_version" value="1"' in form.text
    assert (done.status_code, done.headers["location"]) == (
        302,
        f"/timeline/developments/{SCHEDULED}",
    )
    assert stale.status_code == 409
    assert (
        f"Changed since you opened it: stream {SCHEDULED} is at version 2, not 1; nothing was written. "
        "Reload the form to see it as it is now."
    ) in stale.text
    assert 'name="when" value="2024-08"' in stale.text
    last = events_of(db_path)[-1]
    assert (len(events_of(db_path)), last.type, last.data, last.meta) == (
        28,
        "DevelopmentPostponed",
        {"development": SCHEDULED, "when": "2024-07", "reason": "agenda not agreed"},
        {"recorded_by": "Ben Okafor"},
    )


def test_revise_replaces_and_clears_fields(site: Site, db_path: Path) -> None:
    """Of the place, the parts given change: a city alone keeps the venue, the country and
    the coordinates (as `timeline revise --city` does)."""

    async def scenario(ds: Datasette) -> httpx.Response:
        browser = Browser(ds)
        await browser.sign_in(site.tokens["Ana Lima"])
        path = f"/-/timeline/timeline/developments/{MEETING}/revise"
        return await browser.submit(
            path,
            {"reason": "checked", "city": "Beijing", "clear": ["tags", "sources"], "note": "wire"},
        )

    assert site.run(scenario).status_code == 302
    last = events_of(db_path)[-1]
    assert last.meta == {"recorded_by": "Ana Lima", "note": "wire"}
    assert (last.type, last.data) == (
        "DevelopmentRevised",
        {
            "development": MEETING,
            "changes": {
                "place": {
                    "name": "Great Hall of the People",
                    "city": "Beijing",
                    "country": "CN",
                    "lat": 39.9033,
                    "lon": 116.3915,
                },
                "tags": None,
                "sources": None,
            },
            "reason": "checked",
        },
    )


def test_every_lifecycle_action_and_kind_has_a_form(site: Site) -> None:
    from timeline.datasette_plugin.forms import ACTIONS, TYPE_OF_KIND

    async def scenario(ds: Datasette) -> dict[str, int]:
        browser = Browser(ds)
        await browser.sign_in(site.tokens["Ana Lima"])
        pages = [f"/-/timeline/timeline/developments/{MEETING}/{a}" for a in ACTIONS]
        pages += [f"/-/timeline/timeline/add/{k}" for k in [*TYPE_OF_KIND, "actor"]]
        pages.append("/-/timeline/timeline/add")
        return {p: (await browser.get(p)).status_code for p in pages}

    assert set(site.run(scenario).values()) == {200}
    assert set(TYPE_OF_KIND) == {*HELD_KINDS, "scheduled"}


def test_a_cross_site_post_writes_nothing(site: Site, db_path: Path) -> None:
    async def scenario(ds: Datasette) -> httpx.Response:
        browser = Browser(ds)
        await browser.sign_in(site.tokens["Ana Lima"])
        fields = {"title": "Forged", "when": "2024-05-02", "participants": "Ana"}
        return await browser.submit("/-/timeline/timeline/add/meeting", fields, csrf=False)

    assert site.run(scenario).status_code == 403
    assert len(events_of(db_path)) == 27


def test_a_removed_editor_is_signed_out_at_once(site: Site, db_path: Path) -> None:
    async def scenario(ds: Datasette) -> httpx.Response:
        browser = Browser(ds)
        await browser.sign_in(site.tokens["Ana Lima"])
        EditorsFile(default_path(db_path)).remove("Ana Lima")
        return await browser.get("/-/timeline/timeline/add/meeting")

    assert site.run(scenario).status_code == 403


def test_another_actor_writes_when_the_setting_allows_it(site: Site, db_path: Path) -> None:
    """``allow_append`` lets an actor of any authentication plugin write (here Datasette's root)."""
    path = f"/-/timeline/timeline/developments/{SCHEDULED}/cancel"

    async def as_root(ds: Datasette) -> Browser:
        browser = Browser(ds)
        browser.cookies["ds_actor"] = ds.sign({"a": {"id": "root"}}, "actor")
        return browser

    async def cancel(ds: Datasette) -> httpx.Response:
        return await (await as_root(ds)).submit(path, {"reason": "off"})

    async def open_form(ds: Datasette) -> httpx.Response:
        return await (await as_root(ds)).get(path)

    assert site.run(open_form).status_code == 403
    granted = Site(
        site.paths,
        site.tokens,
        metadata={"plugins": {"timeline": {"allow_append": {"id": "root"}}}},
    )
    assert granted.run(cancel).status_code == 302
    last = events_of(db_path)[-1]
    assert (last.type, last.data, last.meta) == (
        "DevelopmentCancelled",
        {"development": SCHEDULED, "reason": "off"},
        {"recorded_by": "root"},
    )


# --- `timeline editor` -----------------------------------------------------------------


def test_editor_add_prints_a_token_once_and_keeps_only_its_hash(runner: Any, db_path: Path) -> None:
    assert runner.invoke(cli, ["init"]).exit_code == 0
    added = runner.invoke(cli, ["editor", "add", "  Ana Lima "])
    assert added.exit_code == 0, added.output
    lines = added.output.splitlines()
    assert (
        lines[0] == f"{db_path}.editors.json: added 'Ana Lima'. Their token, shown only this once:"
    )
    token = lines[1]
    assert re.fullmatch(r"tl_[0-9a-f]{12}_[A-Za-z0-9_-]{43}", token)
    path = Path(f"{db_path}.editors.json")
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    text = path.read_text()
    assert token not in text
    assert token.split("_", 2)[2] not in text
    assert EditorsFile(path).find(token).name == "Ana Lima"
    listed = runner.invoke(cli, ["editor", "list", "--json"])
    assert [e["name"] for e in json.loads(listed.output)] == ["Ana Lima"]
    assert set(json.loads(listed.output)[0]) == {"name", "added"}


def test_editor_commands_refuse_what_they_cannot_do(
    runner: Any, db_path: Path, tmp_path: Path
) -> None:
    missing = runner.invoke(cli, ["editor", "add", "Ana", "--db", str(tmp_path / "typo.db")])
    assert missing.exit_code == 1
    assert (
        missing.output
        == f"Error: --db: no database at {tmp_path / 'typo.db'} (create it with `timeline init`, or name the editors file with --editors)\n"
    )
    assert not (tmp_path / "typo.db.editors.json").exists()
    runner.invoke(cli, ["init"])
    assert runner.invoke(cli, ["editor", "add", "Ana"]).exit_code == 0
    twice = runner.invoke(cli, ["editor", "add", "ana"])
    assert twice.output == "Error: NAME: 'ana' is already an editor (remove them first)\n"
    blank = runner.invoke(cli, ["editor", "add", "  "])
    assert blank.output == "Error: NAME: must not be empty\n"
    broken = runner.invoke(cli, ["editor", "add", "Ana\nBen"])
    assert broken.output == "Error: NAME: 'Ana\\nBen' holds a control character or a line break\n"
    gone = runner.invoke(cli, ["editor", "remove", "Nobody"])
    assert gone.output == f"Error: NAME: 'Nobody' is not an editor of {db_path}.editors.json\n"
    removed = runner.invoke(cli, ["editor", "remove", "ANA"])
    assert removed.output == f"{db_path}.editors.json: removed 'Ana'\n"
    assert (
        runner.invoke(cli, ["editor", "list"]).output
        == f"{db_path}.editors.json: no editors (writing from the browser is off)\n"
    )


def test_editor_file_can_be_named(runner: Any, tmp_path: Path) -> None:
    chosen = tmp_path / "team" / "editors.json"
    chosen.parent.mkdir()
    result = runner.invoke(cli, ["editor", "add", "Ana", "--editors", str(chosen), "--json"])
    assert result.exit_code == 0, result.output
    answer = json.loads(result.output)
    assert (answer["name"], answer["editors"]) == ("Ana", str(chosen))
    assert EditorsFile(chosen).find(answer["token"]).name == "Ana"


def test_serve_says_whether_writing_is_on(tmp_path: Path) -> None:
    from timeline.cli.editing import serve_notice

    db = str(tmp_path / "t.db")
    assert serve_notice(db, None) == (
        default_path(db),
        f"Writing is off: no editors in {db}.editors.json (add one with `timeline editor add NAME --db {db}`)",
    )
    EditorsFile(default_path(db)).add("Ana")
    EditorsFile(default_path(db)).add("Ben")
    assert (
        serve_notice(db, None)[1]
        == f"Writing is on for 2 editors ({db}.editors.json): sign in at /-/timeline-signin"
    )


def test_an_api_post_goes_through_the_same_service_as_the_cli(site: Site, db_path: Path) -> None:
    """The same event, refused the same way by `timeline append` and by the API."""
    bad = {
        "type": "MeetingHeld",
        "data": {"title": "x", "when": "2024-13-01", "participants": [{"name": "A"}]},
    }
    api = site.post(json.dumps(bad)).json()["error"]
    with pytest.raises(Exception) as refused:  # noqa: PT011
        service.parse_submission(bad)
    assert api == str(refused.value)
    db = open_db(db_path, create=False)
    assert_log_is_sound(db, count(db))


def test_the_timeline_page_links_an_editor_to_the_forms_and_is_theirs_alone(site: Site) -> None:
    from timeline.datasette_plugin.forms import ACTIONS

    async def scenario(ds: Datasette) -> tuple[httpx.Response, httpx.Response]:
        visitor, editor = Browser(ds), Browser(ds)
        await editor.sign_in(site.tokens["Ana Lima"])
        return await visitor.get("/-/timeline/timeline"), await editor.get("/-/timeline/timeline")

    def data(response: httpx.Response) -> dict[str, Any]:
        found = re.search(
            r'<script type="application/json" id="timeline-data">(.*?)</script>',
            response.text,
            re.S,
        )
        return json.loads(found[1])

    seen, edited = site.run(scenario)
    assert "actions" not in data(seen)
    assert seen.headers["cache-control"] == "max-age=21600"
    assert data(edited)["actions"] == {
        "base": "/-/timeline/timeline/developments/",
        "names": [
            [
                name,
                action.label,
                list(TRANSITIONS[action.type]) if action.type in TRANSITIONS else None,
            ]
            for name, action in ACTIONS.items()
        ],
    }
    assert edited.headers["cache-control"].startswith(
        "private, "
    )  # Datasette's no-store with a cookie
    assert edited.headers["etag"] != seen.headers["etag"]


@pytest.mark.slow
def test_serve_uses_the_editors_file_it_is_given(db, db_path: Path, tmp_path: Path) -> None:
    """`timeline serve --editors FILE`: the server takes that file's tokens, and says so."""
    import urllib.request

    from support import serving

    chosen = tmp_path / "team-editors.json"
    token = EditorsFile(chosen).add("Ana Lima")
    db.close()
    log = tmp_path / "serve.log"
    with serving(db_path, log, "--editors", str(chosen)) as base:
        request = urllib.request.Request(
            f"{base}/-/timeline/timeline/events",
            data=json.dumps(meeting()).encode(),
            headers={"Authorization": f"Bearer {token}"},
            method="POST",
        )
        with urllib.request.urlopen(request, timeout=10) as answer:
            assert answer.status == 201
    assert (
        f"Writing is on for 1 editor ({chosen}): sign in at /-/timeline-signin" in log.read_text()
    )
    assert events_of(db_path)[-1].meta == {"recorded_by": "Ana Lima"}


def test_a_row_page_offers_the_actions_its_status_allows(site: Site) -> None:
    async def scenario(ds: Datasette) -> tuple[str, str]:
        browser = Browser(ds)
        await browser.sign_in(site.tokens["Ana Lima"])
        held = await browser.get(f"/timeline/developments/{MEETING}")
        planned = await browser.get(f"/timeline/developments/{SCHEDULED}")
        return held.text, planned.text

    def offered(text: str) -> list[str]:
        section = text.split('<section class="timeline-actions">', 1)[1].split("</section>", 1)[0]
        return re.findall(r'<a href="[^"]*/([a-z]+)">', section)

    held, planned = site.run(scenario)
    assert offered(held) == ["revise", "retract", "link", "merge", "unmerge"]
    assert offered(planned) == [
        "held",
        "postpone",
        "cancel",
        "revise",
        "retract",
        "link",
        "merge",
        "unmerge",
    ]


def test_datasettes_own_write_api_never_writes_a_timeline(
    site: Site, db_path: Path, tmp_path: Path
) -> None:
    """Even root cannot insert rows into a timeline's tables (Datasette 1.0 has a write API;
    0.65 has none); another database served beside it keeps Datasette's rules."""
    import sqlite3

    plain = tmp_path / "plain.db"
    with sqlite3.connect(plain) as conn:
        conn.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT)")
    served = Site([db_path, plain], site.tokens)

    async def scenario(ds: Datasette) -> tuple[int, int, bool]:
        ds.root_enabled = True
        root = {"cookie": f"ds_actor={ds.sign({'a': {'id': 'root'}}, 'actor')}"}
        ours = await ds.client.post(
            "/timeline/tags/-/insert",
            json={"row": {"development": MEETING, "tag": "x"}},
            headers=root,
        )
        theirs = await ds.client.post(
            "/plain/notes/-/insert", json={"row": {"text": "x"}}, headers=root
        )
        return ours.status_code, theirs.status_code, hasattr(ds, "allowed")

    ours, theirs, has_write_api = served.run(scenario)
    if has_write_api:
        assert (ours, theirs) == (403, 201)
    else:  # no such route; a cookie's JSON post is refused by 0.65's CSRF check first
        assert ours == theirs == 403
    db = open_db(db_path, create=False)
    assert db.execute("SELECT COUNT(*) FROM tags WHERE tag = 'x'").fetchone()[0] == 0
    db.close()


def test_datasette_1_permissions_blocks_grant_timeline_append(site: Site, db_path: Path) -> None:
    from timeline.datasette_plugin.access import can_append

    if not hasattr(Datasette, "allowed"):
        pytest.skip("Datasette 0.65 has no permissions blocks (allow_append does it there)")
    config = {"databases": {"timeline": {"permissions": {"timeline-append": {"id": "ben"}}}}}

    async def scenario(ds: Datasette) -> tuple[bool, bool]:
        return await can_append(ds, {"id": "ben"}, "timeline"), await can_append(
            ds, {"id": "cy"}, "timeline"
        )

    assert Site([db_path], site.tokens, config=config).run(scenario) == (True, False)


@pytest.mark.parametrize("kind", [*HELD_KINDS, "scheduled", "actor"])
def test_each_add_form_has_an_input_for_every_option_of_its_command(kind: str) -> None:
    """The form is the command in the browser: a flag added to `timeline add KIND` without
    its input here would be a field the browser cannot set."""
    from timeline.cli.adding import add
    from timeline.datasette_plugin.forms import NOTE
    from timeline.entries import ACTOR, OWN, SHARED

    command = add.commands[kind]
    options = {p.name for p in command.params} - {"as_json", "recorded_by", "db"}
    if kind == "actor":
        inputs = {i.name for i in (*ACTOR, NOTE)}
    else:
        inputs = {i.name for i in (*OWN.get(kind, ()), *SHARED, NOTE)} | {"development"}
    assert options == inputs


@pytest.mark.parametrize(
    "action", ["held", "postpone", "cancel", "revise", "retract", "link", "merge", "unmerge"]
)
def test_each_action_form_has_an_input_for_every_option_of_its_command(action: str) -> None:
    from timeline.cli import lifecycle
    from timeline.datasette_plugin.forms import ACTIONS, NOTE

    (command,) = [c for c in lifecycle.COMMANDS if c.name == action]
    in_the_address = {"development", "kept", "source"}  # the development the form is on
    left_out = {"as_json", "recorded_by", "expect_version", "db", *in_the_address}
    renamed = {"target": "to", "cleared": "clear"}
    options = {renamed.get(p.name, p.name) for p in command.params} - left_out
    assert options == {i.name for i in (*ACTIONS[action].inputs, NOTE)}


# --- what a review found, kept found -------------------------------------------------------


@pytest.mark.parametrize(
    "after",
    [
        "/\t/evil.example/x",
        "/\n/evil.example",
        "//evil.example/x",
        "/\\evil.example",
        "https://evil.example/",
    ],
)
def test_signing_in_never_sends_the_browser_to_another_site(site: Site, after: str) -> None:
    """Browsers drop tabs and line breaks from a URL, and read a backslash as a slash."""

    async def scenario(ds: Datasette) -> list[httpx.Response]:
        browser = Browser(ds)
        page = await browser.get("/-/timeline-signin")
        token = re.search(r'name="csrftoken" value="([^"]*)"', page.text)[1]
        fields = {"csrftoken": token, "token": site.tokens["Ana Lima"]}
        from_the_form = await browser.post("/-/timeline-signin", {**fields, "next": after})
        from_the_address = await browser.post(
            f"/-/timeline-signin?{urlencode({'next': after})}", fields
        )
        return [from_the_form, from_the_address]

    for signed in site.run(scenario):
        assert (signed.status_code, signed.headers["location"]) == (302, "/")


def test_an_editor_is_never_taken_for_another_actor_of_the_same_name(
    site: Site, db_path: Path
) -> None:
    """An editor called root is not Datasette's root; an editor of another database called
    as someone ``allow_append`` names is not them."""
    root_token = EditorsFile(default_path(db_path)).add("root")
    metadata = {"plugins": {"timeline": {"allow_append": {"id": "Cy"}}}}
    granted = Site(site.paths, {**site.tokens, "root": root_token}, metadata=metadata)

    async def scenario(ds: Datasette) -> int:
        browser = Browser(ds)
        await browser.sign_in(root_token)
        return (await browser.get("/-/permissions")).status_code

    assert granted.run(scenario) == 403
    assert granted.post(json.dumps(meeting()), editor="Cy").status_code == 403
    assert granted.post(json.dumps(meeting()), editor="root").status_code == 201
    assert events_of(db_path)[-1].meta == {"recorded_by": "root"}


def test_over_http_the_server_says_when_an_event_was_recorded(site: Site, db_path: Path) -> None:
    response = site.post(json.dumps(meeting(recorded_at="2099-01-01T00:00:00Z")))
    assert (response.status_code, response.json()) == (
        400,
        {"error": "recorded_at: is set by the server's clock: leave it out"},
    )
    # Nor in meta, where it would be read beside the log's own time and pass for it.
    response = site.post(json.dumps(meeting(meta={"recorded_at": "2020-01-01T00:00:00Z"})))
    assert (response.status_code, response.json()) == (
        400,
        {"error": "meta.recorded_at: is set by the server's clock: leave it out"},
    )
    assert len(events_of(db_path)) == 27


def test_json_lines_split_at_line_feeds_only(site: Site, db_path: Path) -> None:
    """U+2028 inside a string is text, as `timeline import` reads it."""
    first = meeting("Ana meets Ben")
    first["data"]["summary"] = "One\u2028two"
    body = (
        json.dumps(first, ensure_ascii=False) + "\n" + json.dumps(meeting("Ben meets Ana")) + "\n"
    )
    response = site.post(body.encode())
    assert (response.status_code, response.json()["appended"]) == (201, 2)
    assert events_of(db_path)[-2].data["summary"] == "One\u2028two"


@pytest.mark.parametrize("token", ["tl_nope_nope", "junk"])
def test_a_wrong_token_is_refused_even_beside_a_signed_in_cookie(
    site: Site, db_path: Path, token: str
) -> None:
    """Not ours in form ("junk") too: a request carrying a token skips the forms' CSRF
    check, so the cookie beside it must not be what lets it write."""

    async def scenario(ds: Datasette) -> httpx.Response:
        browser = Browser(ds)
        await browser.sign_in(site.tokens["Ana Lima"])
        headers = {**browser._headers(), "authorization": f"Bearer {token}"}
        return await ds.client.post(
            "/-/timeline/timeline/events", content=json.dumps(meeting()), headers=headers
        )

    response = site.run(scenario)
    assert (response.status_code, response.json()) == (
        401,
        {"error": "the token is not an editor's"},
    )
    assert len(events_of(db_path)) == 27


def test_a_refusal_about_the_development_itself_is_shown_above_the_form(site: Site) -> None:
    async def scenario(ds: Datasette) -> httpx.Response:
        browser = Browser(ds)
        await browser.sign_in(site.tokens["Ana Lima"])
        return await browser.submit(
            f"/-/timeline/timeline/developments/{MEETING}/revise",
            {"reason": "r", "when": "2024-04-27"},
        )

    async def postpone_held(ds: Datasette) -> httpx.Response:
        browser = Browser(ds)
        await browser.sign_in(site.tokens["Ana Lima"])
        page = await browser.get(f"/-/timeline/timeline/developments/{SCHEDULED}/postpone")
        fields = dict(re.findall(r'name="(csrftoken|expected_version)" value="([^"]*)"', page.text))
        return await browser.post(
            f"/-/timeline/timeline/developments/{MEETING}/postpone",
            {**fields, "expected_version": "1"},
        )

    assert site.run(scenario).status_code == 302
    refused = site.run(postpone_held)
    assert refused.status_code == 400
    error = re.search(
        r'<p class="message-error" role="alert" id="form-error">([^<]*)</p>', refused.text
    )
    assert error is not None
    assert "development:" in error[1]


def form_errors(page: httpx.Response) -> dict[str, str]:
    """What the form says beside each input (by input name), and above it (``""``)."""
    found = dict(re.findall(r'id="error-(\w+)" role="alert">([^<]*)<', page.text))
    above = re.search(r'id="form-error">([^<]*)</p>', page.text)
    return {**found, **({"": above[1]} if above else {})}


def test_a_form_refuses_what_it_did_not_offer_and_writes_nothing(site: Site, db_path: Path) -> None:
    """A required input left empty, a box ticked that the form has not, a version that is
    not the one the form was sent out with: each a 400 that says so, never a 500."""
    revise = f"/-/timeline/timeline/developments/{MEETING}/revise"

    async def scenario(ds: Datasette) -> list[httpx.Response]:
        browser = Browser(ds)
        await browser.sign_in(site.tokens["Ana Lima"])
        answers = [
            await browser.submit(revise, {"reason": "", "summary": "x"}),
            await browser.submit(revise, {"reason": "r", "clear": "title"}),
            await browser.submit(revise, {"reason": "r"}),
            await browser.submit(revise, {"reason": "r", "clear": "place", "city": "Shanghai"}),
        ]
        page = await browser.get(revise)
        token = re.search(r'name="csrftoken" value="([^"]*)"', page.text)
        assert token is not None
        for version in ("²", "abc", "-1", ""):
            fields = {"csrftoken": token[1], "reason": "r", "summary": "x"}
            answers.append(await browser.post(revise, {**fields, "expected_version": version}))
        return answers

    answers = site.run(scenario)
    assert [a.status_code for a in answers] == [400] * 8
    assert form_errors(answers[0]) == {"reason": "is required"}
    assert form_errors(answers[1]) == {
        "clear": "&#39;title&#39; is not one of: " + ", ".join(CLEARABLE)
    }
    assert form_errors(answers[2]) == {"": "at least one field to change is required"}
    assert form_errors(answers[3]) == {
        "clear": "place is given a new value too; give one or the other"
    }
    for answer in answers[4:]:
        assert form_errors(answer) == {
            "": "The form came back without the version it was opened at: reload it, "
            "then submit it again."
        }
    assert len(events_of(db_path)) == 27


def test_lines_of_a_box_are_counted_as_entries_in_every_refusal(site: Site) -> None:
    async def scenario(ds: Datasette) -> list[httpx.Response]:
        browser = Browser(ds)
        await browser.sign_in(site.tokens["Ana Lima"])
        base = "/-/timeline/timeline/add/meeting"
        common = {"title": "T", "when": "2024-05-02"}
        return [
            await browser.submit(base, {**common, "participants": "Ana\n\n\nBen; ; ZZZ"}),
            await browser.submit(base, {**common, "participants": "Ana\n\n\nBen; x; CN; extra"}),
        ]

    country, parts = site.run(scenario)
    assert 'id="error-participants" role="alert">line 2: country:' in country.text
    assert (
        'id="error-participants" role="alert">line 2: &#39;Ben; x; CN; extra&#39; has more than 3 parts'
        in parts.text
    )


def test_a_form_larger_than_a_development_needs_is_413(site: Site, db_path: Path) -> None:
    async def scenario(ds: Datasette) -> list[int]:
        browser = Browser(ds)
        await browser.sign_in(site.tokens["Ana Lima"])
        big = {"title": "x" * (2 * 1024 * 1024)}
        page = await browser.get("/-/timeline/timeline/add/meeting")
        token = re.search(r'name="csrftoken" value="([^"]*)"', page.text)[1]
        return [
            (
                await browser.post("/-/timeline/timeline/add/meeting", {"csrftoken": token, **big})
            ).status_code,
            (
                await browser.post(
                    "/-/timeline-signin", {"csrftoken": token, "token": "x" * (2 * 1024 * 1024)}
                )
            ).status_code,
        ]

    assert site.run(scenario) == [413, 413]
    assert len(events_of(db_path)) == 27


def test_the_menu_offers_sign_in_only_where_it_can_work(
    site: Site, db_path: Path, tmp_path: Path
) -> None:
    async def visitor(ds: Datasette) -> str:
        return (await Browser(ds).get("/timeline/developments")).text

    async def removed(ds: Datasette) -> str:
        browser = Browser(ds)
        await browser.sign_in(site.tokens["Ana Lima"])
        EditorsFile(default_path(db_path)).remove("Ana Lima")
        return (await browser.get("/timeline/developments")).text

    for name in ("Ana Lima", "Ben Okafor"):
        EditorsFile(default_path(db_path)).remove(name)
    EditorsFile(default_path(tmp_path / "other.db")).remove("Cy")
    assert "Sign in to edit" not in site.run(visitor)  # editors files with nobody in them
    site.tokens["Ana Lima"] = EditorsFile(default_path(db_path)).add("Ana Lima")
    text = site.run(removed)
    assert "Signed in as Ana Lima: sign out" not in text
    assert "Sign in to edit" not in text  # nobody is left to sign in


def test_editor_add_prints_the_name_as_stored(runner: Any, db_path: Path) -> None:
    runner.invoke(cli, ["init"])
    added = runner.invoke(cli, ["editor", "add", " Se\u0301gole\u0300ne ", "--json"])
    assert json.loads(added.output)["name"] == "S\u00e9gol\u00e8ne"
    assert runner.invoke(cli, ["editor", "remove", "Se\u0301gole\u0300ne"]).exit_code == 0


def test_one_event_over_several_lines_is_refused_where_its_mistake_is(site: Site) -> None:
    body = '{\n  "type": "MeetingHeld",\n  "data": {"title": "x"}\n  "id": "nope"\n}\n'
    response = site.post(body)
    assert (response.status_code, response.json()) == (
        400,
        {"error": "line 4: not valid JSON: Expecting ',' delimiter (column 3)"},
    )


def test_the_database_page_links_a_writer_to_the_forms(site: Site) -> None:
    async def scenario(ds: Datasette) -> tuple[str, str]:
        visitor, editor = Browser(ds), Browser(ds)
        await editor.sign_in(site.tokens["Ana Lima"])
        return (await visitor.get("/timeline")).text, (await editor.get("/timeline")).text

    seen, edited = site.run(scenario)
    assert "Add a development or an actor" not in seen
    assert re.search(
        r'<a href="/-/timeline/timeline/add"[^>]*>Add a development or an actor\s*</a>', edited
    )
