"""Everyone affected hears about amendment decisions and new versions, by well-formed e-mail that
a member can stop with one click."""
from __future__ import annotations

import re
from email.utils import parsedate_to_datetime

from forum.extensions import db
from forum.models import User
from forum.services import notifications
from tests.app.amendment_helpers import AMENDMENT_WINDOW, FINAL_DRAFTING, at, propose, world
from tests.app.test_notifications import FakeMailer
from tests.support.clients import Browser


def _mail(app):
    mailer = FakeMailer()
    app.config["MAILER"] = mailer
    return mailer


def _unread(browser) -> list[str]:
    return [n["message"] for n in browser.get("/api/v1/notifications").json["notifications"]]


def test_the_author_hears_of_a_disposition_at_once_with_the_reason_and_voters_and_followers_in_the_digest(
        app, client, another_client):
    w = world(app)
    mailer = _mail(app)
    client.login("alex@example.org")
    amendment = propose(client, w.text).json
    clash = propose(client, w.text, start=3, end=5, text="gather monthly", rationale="Tone.").json
    another_client.login("bea@example.org")
    assert another_client.api("PUT", f"/api/v1/amendments/{amendment['id']}/vote", {"value": 1}).status_code == 200
    at(app, FINAL_DRAFTING)
    dana = Browser(app.test_client())
    dana.login("dana@example.org")
    accepted = dana.api("POST", f"/api/v1/amendments/{amendment['id']}/disposition",
                        {"decision": "accepted", "reason": "Clearer for members."})
    assert accepted.status_code == 200

    mine = _unread(client)
    assert "Your amendment to “Power and participation” was accepted: Clearer for members." in mine
    assert any(m.startswith("Your amendment to “Power and participation” needs your attention after version 2")
               for m in mine)  # the clashing one was flagged
    assert [(to, subject) for to, subject, _ in mailer.sent] == [
        ("alex@example.org", "Convene: Your amendment to “Power and participation” was accepted: "
                             "Clearer for members."),
        ("alex@example.org", mailer.sent[1][1])]
    assert f"#amendment-{clash['id']}" in mailer.sent[1][2]
    # Bea voted on it: she hears in her digest, not by an e-mail of its own.
    assert _unread(another_client) == [
        "An amendment to “Power and participation” was accepted; the text is now at version 2"]
    assert not [m for m in mailer.sent if m[0] == "bea@example.org"]
    assert not _unread(dana)  # the drafter who decided is not told of their own decision


def test_a_rejection_and_a_new_version_reach_the_people_concerned(app, client, another_client):
    w = world(app)
    _mail(app)
    client.login("alex@example.org")
    amendment = propose(client, w.text).json
    another_client.login("bea@example.org")
    another_client.post(f"/proposals/{w.text.id}/follow", {"next": f"/proposals/{w.text.id}"})
    at(app, FINAL_DRAFTING)
    dana = Browser(app.test_client())
    dana.login("dana@example.org")
    dana.api("POST", f"/api/v1/amendments/{amendment['id']}/disposition",
             {"decision": "rejected", "reason": "The assembly kept monthly."})
    assert "Your amendment to “Power and participation” was rejected: The assembly kept monthly." in _unread(client)
    assert "An amendment to “Power and participation” was rejected" in _unread(another_client)


def test_notification_mail_is_well_formed_and_one_click_unsubscribe_stops_it(app, client, another_client):
    w = world(app)
    mailer = _mail(app)
    app.config["BASE_URL"] = "https://convene.example.org"
    client.login("alex@example.org")
    amendment = propose(client, w.text).json
    at(app, FINAL_DRAFTING)
    dana = Browser(app.test_client())
    dana.login("dana@example.org")
    dana.api("POST", f"/api/v1/amendments/{amendment['id']}/disposition", {"decision": "rejected", "reason": "No."})
    message = mailer.messages[-1]
    assert parsedate_to_datetime(message["Date"]).tzinfo is not None
    assert re.fullmatch(r"<[^@<>\s]+@localhost>", message["Message-ID"])
    assert message["Auto-Submitted"] == "auto-generated"
    assert message.get_content_type() == "multipart/alternative"
    html = message.get_body(("html",)).get_content()
    assert '<a href="https://convene.example.org/proposals/' in html
    link = message["List-Unsubscribe"].strip("<>")
    assert link.startswith("https://convene.example.org/notifications/unsubscribe/")
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert link in message.get_body(("plain",)).get_content()

    path = link.removeprefix("https://convene.example.org")
    anonymous = app.test_client()
    page = anonymous.get(path).get_data(as_text=True)
    assert "Stop all e-mail from Convene to this address?" in page
    # what a mail client sends for RFC 8058 one-click: a POST without our form or a login
    assert anonymous.post(path, data={"List-Unsubscribe": "One-Click"}).status_code == 204
    alex = db.session.scalar(db.select(User).where(User.email == "alex@example.org"))
    assert notifications.digest_choice(alex) == "off"
    sent_before = len(mailer.sent)
    at(app, AMENDMENT_WINDOW)
    second = propose(client, w.text, clause="c2", start=9, end=10, text="two", rationale="Shorter.")
    at(app, FINAL_DRAFTING)
    dana.api("POST", f"/api/v1/amendments/{second.json['id']}/disposition", {"decision": "rejected", "reason": "No."})
    assert len(mailer.sent) == sent_before  # no more e-mail …
    assert _unread(client)[0].startswith("Your amendment to “Power and participation” was rejected")  # … but in the app


def test_a_forged_or_altered_unsubscribe_link_changes_nothing(app):
    world(app)
    response = app.test_client().post("/notifications/unsubscribe/not-a-token", data={})
    assert response.status_code == 404
    assert "not valid" in response.get_data(as_text=True)


def test_a_new_version_reaches_followers_and_the_authors_of_amendments_it_left_behind(app, client, another_client):
    w = world(app)
    _mail(app)
    client.login("alex@example.org")
    amendment = propose(client, w.text).json  # on "monthly" in clause 1
    another_client.login("bea@example.org")
    another_client.post(f"/proposals/{w.text.id}/follow", {"next": f"/proposals/{w.text.id}"})
    jo = Browser(app.test_client())
    jo.login("jo@example.org")  # the facilitator edits the convention's text
    body = ("The NCG should meet every month, at least four times a year in person.\n\n"
            "Members of the NCG should serve no more than three terms.\n\n"
            "Minutes of every NCG meeting should be sent to all members within two weeks.")
    response = jo.post(f"/proposals/{w.text.id}/edit", {"title": "Power and participation", "body": body,
                                                        "note": "Plainer words", "base_version": "1"})
    assert response.status_code == 303
    assert _unread(another_client) == ["“Power and participation” has a new version (2)"]
    mine = _unread(client)
    assert len(mine) == 1 and mine[0].startswith(
        "Your amendment to “Power and participation” needs your attention after version 2")
    assert f"#amendment-{amendment['id']}" in client.get("/api/v1/notifications").json["notifications"][0]["url"]
