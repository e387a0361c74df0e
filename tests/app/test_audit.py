"""The audit trail: administrative actions and decisions are recorded with who, when, from where
and what changed; an entry edited or removed afterwards shows; concurrent writers keep one chain."""
from __future__ import annotations

import json
import logging
import threading

from sqlalchemy import delete, select, update

from forum import create_app
from forum.extensions import db
from forum.models import AuditEntry, User
from forum.records import audit
from forum.services import accounts
from tests import factories
from tests.app.amendment_helpers import FINAL_DRAFTING, at, propose, world
from tests.support.database import make_config


class Lines(logging.Handler):
    def __init__(self):
        super().__init__(logging.INFO)
        self.lines: list[dict] = []

    def emit(self, record):
        self.lines.append(json.loads(record.getMessage()))


def entries() -> list[AuditEntry]:
    db.session.expire_all()
    return list(db.session.scalars(select(AuditEntry).order_by(AuditEntry.seq)))


def test_a_role_change_is_on_the_trail_with_who_when_where_and_before_and_after(client):
    factories.convention()
    factories.user("Ada Okafor", roles=("admin",), email="ada@example.org")
    jo = factories.user("Jo Whitfield", email="jo@example.org")
    client.login("ada@example.org")
    lines, logger = Lines(), logging.getLogger("convene.audit")
    logger.addHandler(lines)
    logger.setLevel(logging.INFO)
    try:
        client.post(f"/admin/members/{jo.id}", {"roles": ["facilitator"], "local_group": ""},
                    headers={"X-Forwarded-For": "203.0.113.7"})
    finally:
        logger.removeHandler(lines)
    [entry] = [e for e in entries() if e.action == "roles_changed"]
    assert entry.actor_name == "Ada Okafor" and entry.target == f"member {jo.id}"
    assert json.loads(entry.before_json) == {"roles": ["member"]}
    assert json.loads(entry.after_json) == {"roles": ["facilitator", "member"]}
    assert entry.address == "127.0.0.1"  # no proxy is trusted by default, so the forged header is ignored
    assert [line["action"] for line in lines.lines if line["event"] == "audit"] == ["roles_changed"]

    page = client.get("/admin/audit?action=roles_changed").get_data(as_text=True)
    assert "Roles of Jo Whitfield: facilitator, member." in page and "Chain intact" in page
    assert client.get("/admin/audit?who=nobody").get_data(as_text=True).count("No entries match.") == 1


def test_only_administrators_read_the_trail(client):
    factories.convention()
    factories.user("Jo Whitfield", email="jo@example.org")
    client.login("jo@example.org")
    assert client.get("/admin/audit").status_code == 403


def test_a_disposition_is_a_public_decision_on_the_texts_tracker_page(app, client, another_client):
    w = world(app)
    client.login("alex@example.org")
    first = propose(client, w.text, start=4, end=5, text="every month").json
    at(app, FINAL_DRAFTING)
    another_client.login("dana@example.org")
    another_client.post(f"/amendments/{first['id']}/disposition", {"decision": "accepted",
                                                                  "reason": "Clearer for members."})
    [entry] = [e for e in entries() if e.action == "amendment_disposed"]
    assert entry.public and entry.proposal_id == w.text.id
    page = client.get(f"/proposals/{w.text.id}/tracker").get_data(as_text=True)
    assert "On the audit trail" in page and "Clearer for members." in page and entry.hash[:12] in page


def test_an_entry_changed_or_removed_afterwards_breaks_the_chain_where_it_happened(app, client):
    factories.convention()
    admin = factories.user("Ada Okafor", roles=("admin",), email="ada@example.org")
    people = [factories.user(f"Member {i}", email=f"m{i}@example.org") for i in range(4)]
    for person in people:
        accounts.set_roles(admin, person.id, {"facilitator"})
    assert audit.check().intact and audit.check().entries == 4
    db.session.execute(update(AuditEntry).where(AuditEntry.seq == 2).values(summary="Nothing happened."))
    db.session.commit()
    assert audit.check().broken_at == 2 and "changed after it was written" in audit.check().reason
    client.login("ada@example.org")
    assert "The chain is broken." in client.get("/admin/audit").get_data(as_text=True)

    db.session.execute(delete(AuditEntry).where(AuditEntry.seq == 2))
    db.session.commit()
    assert audit.check().broken_at == 3 and "Entry 2 is missing" in audit.check().reason


def test_an_action_that_rolls_back_leaves_no_entry_and_no_log_line(app):
    factories.convention()
    admin = factories.user("Ada Okafor", roles=("admin",), email="ada@example.org")
    lines, logger = Lines(), logging.getLogger("convene.audit")
    logger.addHandler(lines)
    logger.setLevel(logging.INFO)
    try:
        try:
            accounts.set_roles(admin, admin.id, {"facilitator"})  # refused: you cannot drop your own admin role
        except Exception:  # noqa: BLE001
            pass
    finally:
        logger.removeHandler(lines)
    assert entries() == [] and lines.lines == []


def test_control_characters_a_member_typed_are_escaped_in_the_log_line(app):
    lines, logger = Lines(), logging.getLogger("convene.audit")
    logger.addHandler(lines)
    logger.setLevel(logging.INFO)
    try:
        audit.record(None, "test_action", "member 1", "A name with a newline\nand a bell\x07")
        db.session.commit()
    finally:
        logger.removeHandler(lines)
    handler_line = json.dumps({"event": "audit", **lines.lines[0]}, sort_keys=True)
    assert "\n" not in handler_line and "\\n" in handler_line and "\\u0007" in handler_line


def test_concurrent_administrators_keep_one_unbroken_chain(app, schema):
    factories.convention()
    admins = [factories.user(f"Admin {i}", roles=("admin",), email=f"a{i}@example.org") for i in range(4)]
    people = [factories.user(f"Member {i}", email=f"p{i}@example.org") for i in range(24)]
    admin_ids, people_ids = [a.id for a in admins], [p.id for p in people]
    db.session.commit()
    errors: list[BaseException] = []
    start = threading.Barrier(len(admin_ids))

    def work(n: int) -> None:
        worker = create_app(make_config(schema))
        with worker.app_context():
            try:
                actor = db.session.get(User, admin_ids[n])
                start.wait()
                for person in people_ids[n::len(admin_ids)]:
                    accounts.set_roles(actor, person, {"facilitator", "leadership"})
            except BaseException as err:  # noqa: BLE001
                errors.append(err)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=work, args=(n,)) for n in range(len(admin_ids))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert errors == []
    rows = entries()
    assert [e.seq for e in rows] == list(range(1, len(people_ids) + 1))
    assert audit.check().intact
