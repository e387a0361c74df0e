"""Following texts: replies reach you at once, everything else in a digest grouped by text."""
from tests import factories
from tests.lifecycle_helpers import lifecycle_convention


class FakeMailer:
    """Keeps each composed message, and (to, subject, plain text) for short assertions."""

    def __init__(self):
        self.sent = []
        self.messages = []

    def send(self, message):
        self.messages.append(message)
        self.sent.append((message["To"], message["Subject"], message.get_body(("plain",)).get_content()))


def _setup(app):
    conv, dates, people, clock = lifecycle_convention(app)
    clock.at("submissions", days=1)
    mailer = FakeMailer()
    app.config["MAILER"] = mailer
    text = factories.proposal(people["author"], conv, title="Open selections")
    return conv, people, clock, mailer, text


def test_a_reply_is_notified_and_mailed_at_once_and_followers_wait_for_the_digest(app, client, another_client):
    conv, people, clock, mailer, text = _setup(app)
    client.login("s1@example.org")
    assert client.post(f"/proposals/{text.id}/follow", {"next": f"/proposals/{text.id}"}).status_code == 303
    first = client.api("POST", f"/api/v1/proposals/{text.id}/comments", {"body": "Why monthly?"}).json
    another_client.login("s2@example.org")
    another_client.api("POST", f"/api/v1/proposals/{text.id}/comments", {"body": "Because.", "parent": first["id"]})
    assert [(to, subject) for to, subject, _ in mailer.sent] == [
        ("s1@example.org", "Convene: Supporter 2 replied to your comment on “Open selections”")]
    mine = client.get("/api/v1/notifications").json
    assert mine["unread"] == 1 and mine["notifications"][0]["url"].endswith(f"#comment-{first['id'] + 1}")
    nav = client.get("/").get_data(as_text=True)
    assert 'Notifications <span class="nav-count">1<span class="visually-hidden"> unread</span>' in nav
    # The author follows their own text: two comments wait for the digest, nothing mailed yet.
    author = app.test_client()
    from tests.support.clients import Browser
    author = Browser(author)
    author.login("alex@example.org")
    assert author.get("/api/v1/notifications").json["unread"] == 2
    assert not [m for m in mailer.sent if m[0] == "alex@example.org"]
    runner = app.test_cli_runner()
    assert "Sent 1 digests covering 2 notifications" in runner.invoke(args=["notifications", "send-digests"]).output
    to, subject, body = mailer.sent[-1]
    assert to == "alex@example.org" and "2 updates on 1 texts" in subject
    assert (body.count("\nOpen selections\n") == 1 and "Supporter 1 commented" in body
            and "Supporter 2 commented" in body)
    assert "Sent 0 digests" in runner.invoke(args=["notifications", "send-digests"]).output
    author.post("/notifications/read")
    assert author.get("/api/v1/notifications").json["unread"] == 0


def test_answers_reach_the_asker_and_weekly_digests_wait_a_week(app, client, another_client):
    conv, people, clock, mailer, text = _setup(app)
    client.login("s1@example.org")
    page = client.get("/profile").get_data(as_text=True)
    assert "A weekly digest" in page
    response = client.post("/notifications/digest", {"digest": "weekly", "next": "/profile"})
    assert "You will get a weekly digest." in client.get(response.headers["Location"]).get_data(as_text=True)
    asked = client.api("POST", f"/api/v1/proposals/{text.id}/clarifications", {"question": "Monthly?"}).json
    another_client.login("alex@example.org")
    another_client.api("POST", f"/api/v1/clarifications/{asked['id']}/answer", {"answer": "Yes."})
    assert mailer.sent[-1][:2] == ("s1@example.org", "Convene: Your clarification on “Open selections” was answered")
    client.api("PUT", f"/api/v1/proposals/{text.id}/follow")
    factories.user("Carol King", email="carol@example.org")
    another_client.api("POST", f"/api/v1/proposals/{text.id}/comments", {"body": "Another thought."})
    runner = app.test_cli_runner()
    runner.invoke(args=["notifications", "send-digests"])
    assert [m for m in mailer.sent if m[0] == "s1@example.org" and "digest" in m[1]]
    another_client.api("POST", f"/api/v1/proposals/{text.id}/comments", {"body": "And another."})
    clock.now = clock.now + __import__("datetime").timedelta(days=2)
    before = len(mailer.sent)
    runner.invoke(args=["notifications", "send-digests"])
    assert len(mailer.sent) == before  # the weekly member waits for the week
    clock.now = clock.now + __import__("datetime").timedelta(days=6)
    runner.invoke(args=["notifications", "send-digests"])
    assert mailer.sent[-1][0] == "s1@example.org" and "weekly digest: 1 updates" in mailer.sent[-1][1]


def test_without_a_mail_server_notifications_stay_in_the_app(app, client, another_client):
    conv, people, clock, mailer, text = _setup(app)
    app.config["MAILER"] = None
    client.login("s1@example.org")
    first = client.api("POST", f"/api/v1/proposals/{text.id}/comments", {"body": "Hello"}).json
    another_client.login("s2@example.org")
    another_client.api("POST", f"/api/v1/proposals/{text.id}/comments", {"body": "Hi", "parent": first["id"]})
    page = client.get("/notifications").get_data(as_text=True)
    assert "Supporter 2 replied to your comment" in page and "New" in page
    result = app.test_cli_runner().invoke(args=["notifications", "send-digests"])
    assert result.exit_code != 0 and "No mail server is configured" in result.output


def test_a_reply_is_mailed_by_a_background_task_after_the_commit(app, client, another_client):
    from forum.extensions import db
    from forum.mail import send_later
    from forum.models import Notification
    conv, people, clock, mailer, text = _setup(app)
    app.config["MAILER"] = None  # nothing goes out while the reply is recorded
    client.login("s1@example.org")
    first = client.api("POST", f"/api/v1/proposals/{text.id}/comments", {"body": "Why monthly?"}).json
    another_client.login("s2@example.org")
    another_client.api("POST", f"/api/v1/proposals/{text.id}/comments", {"body": "Because.", "parent": first["id"]})
    reply = db.session.query(Notification).filter_by(kind="reply").one()
    assert reply.immediate and reply.emailed_at is None
    app.config["MAILER"], app.config["MAIL_IN_BACKGROUND"] = mailer, True
    task = send_later([reply.id])
    task.join(timeout=30)
    assert [(to, subject) for to, subject, _ in mailer.sent] == [
        ("s1@example.org", "Convene: Supporter 2 replied to your comment on “Open selections”")]
    db.session.expire_all()
    assert db.session.get(Notification, reply.id).emailed_at is not None
