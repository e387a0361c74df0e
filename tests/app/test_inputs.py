"""Input an attacker would send: ids no row can have, text no database can store, payloads nested
to exhaust the parser. Each gets a clear 4xx or error ack, never a 500, and nothing is stored."""
from __future__ import annotations

import json
import logging
import re

import pytest
from sqlalchemy import func, select

from forum.extensions import db
from forum.inputs import MAX_SOCKET_BYTES, REFUSED, SocketJSON
from forum.models import Comment, Proposal
from tests import factories

TOO_BIG = (2**31, 2**63, 10**30)


def get_routes_with_ids(app):
    for rule in app.url_map.iter_rules():
        if "GET" in rule.methods and any(type(c).__name__ == "RowId" for c in rule._converters.values()):
            yield rule


@pytest.mark.parametrize("big", TOO_BIG)
def test_an_id_no_row_can_have_is_a_404_on_every_page_and_api_route(app, client, big):
    factories.convention()
    factories.user("Ada Admin", email="admin@example.org", roles=("admin",))
    client.login("admin@example.org")
    rules = list(get_routes_with_ids(app))
    assert len(rules) > 30  # every page and API route that names a row by its id
    answers = {}
    for rule in rules:
        path = rule.rule
        for name in rule.arguments:
            path = re.sub(rf"<(?:int:)?{name}>", str(big), path)
        if "<" in path:  # another converter (a slug or a path) stays as the route needs it
            continue
        answers[path] = client.get(path).status_code
    assert {path: code for path, code in answers.items() if code != 404} == {}


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


@pytest.mark.parametrize("bad", ["a NUL\x00 in the middle", "a lone surrogate \ud800 here"])
def test_text_that_cannot_be_stored_is_refused_by_the_api_naming_the_field(client, bad):
    conv = factories.convention()
    author = factories.user("Ann Author", email="ann@example.org")
    text = factories.proposal(author, conv, title="Hand power to local groups")
    client.login("ann@example.org")
    before = count(Comment)
    response = client.client.post(f"/api/v1/proposals/{text.id}/comments", json={"body": bad},
                                  headers={"X-CSRFToken": client.csrf()})
    assert response.status_code == 422
    answer = response.get_json()
    assert answer["error"] == "payload_invalid" and answer["params"] == {"field": "body"}
    assert "cannot be stored" in answer["message"]
    assert count(Comment) == before


def test_a_nul_typed_into_a_form_is_refused_with_words_and_stores_nothing(client):
    conv = factories.convention()
    factories.user("Ann Author", email="ann@example.org")
    client.login("ann@example.org")
    before = count(Proposal)
    response = client.post("/proposals/new", {"title": "Open\x00 selections", "body": "Campaign for it.",
                                              "area": str(conv.areas[0].id)})
    assert response.status_code == 400
    assert "“title” contains a character that cannot be stored" in response.get_data(as_text=True)
    assert count(Proposal) == before


def test_a_json_body_nested_ten_thousand_deep_is_a_422_not_a_crash(client):
    factories.convention()
    factories.user("Ann Author", email="ann@example.org")
    client.login("ann@example.org")
    deep = "[" * 10_000 + "]" * 10_000
    response = client.client.post("/api/v1/proposals", data=deep, content_type="application/json",
                                  headers={"X-CSRFToken": client.csrf()})
    assert response.status_code == 422
    assert "nests lists or objects" in response.get_json()["message"]


def test_socket_messages_are_bounded_before_they_are_parsed():
    deep = '42/sessions,7["raise_hand",' + "[" * 10_000 + "]" * 10_000 + "]"
    assert SocketJSON.loads(deep[deep.index("["):]) == ["raise_hand", REFUSED]
    huge = json.dumps(["send_message", {"session": 1, "text": "x" * (MAX_SOCKET_BYTES + 1)}])
    assert SocketJSON.loads(huge) == ["send_message", REFUSED]
    assert SocketJSON.loads(json.dumps(["raise_hand", {"session": 1}])) == ["raise_hand", {"session": 1}]


class Collect(logging.Handler):
    def __init__(self):
        super().__init__(logging.ERROR)
        self.lines: list[str] = []

    def emit(self, record):
        self.lines.append(record.getMessage())


def test_an_unexpected_error_gives_the_member_a_reference_that_is_in_the_log(app, client):
    def broken():
        raise RuntimeError("a bug")
    app.add_url_rule("/broken-page", "broken_page", broken)
    app.add_url_rule("/api/v1/broken", "broken_api", broken)
    collect, logger = Collect(), logging.getLogger("forum.errors")
    logger.addHandler(collect)
    try:
        page = client.get("/broken-page")
        api = client.get("/api/v1/broken")
    finally:
        logger.removeHandler(collect)
    assert page.status_code == 500 and api.status_code == 500
    reference = api.get_json()["error_id"]
    shown = re.search(r"<code>([0-9a-f]{12})</code>", page.get_data(as_text=True)).group(1)
    logged = " ".join(collect.lines)
    assert reference in logged and shown in logged and reference != shown


def test_every_page_forbids_plugins_and_a_changed_base_address(client):
    factories.convention()
    policy = client.get("/").headers["Content-Security-Policy"]
    assert "object-src 'none'" in policy and "base-uri 'none'" in policy and "script-src 'self'" in policy
