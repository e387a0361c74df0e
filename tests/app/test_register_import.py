"""The member register import keeps each member's real joining date (a ballot's eligibility
cut-off reads it) and never stores a cell a spreadsheet would run as a formula."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from io import BytesIO

import pytest
from sqlalchemy import select

from forum.extensions import db
from forum.models import Ballot, LocalGroup, User
from tests import factories

NOW = datetime(2022, 4, 1, 12, tzinfo=timezone.utc)


def _admin(app, client):
    app.config["CLOCK"] = lambda: NOW
    factories.user("Ada Okafor", roles=("admin",), email="ada@example.org")
    client.login("ada@example.org")


def _import(client, csv: str) -> str:
    response = client.post("/admin/members/import", {"register": (BytesIO(csv.encode()), "register.csv")},
                           content_type="multipart/form-data")
    assert response.status_code == 303
    return client.get("/admin/members").get_data(as_text=True)


def _member(email: str) -> User | None:
    db.session.expire_all()
    return db.session.scalar(select(User).where(User.email == email))


def test_joining_dates_come_from_the_register_not_the_import_day(app, client):
    _admin(app, client)
    page = _import(client, "name,email,local group,region,joined on\n"
                           "Ruth Evans,ruth@example.org,Cardiff,Wales,2019-05-02\n"
                           "Owen Price,owen@example.org,Cardiff,Wales,14/03/2021\n")
    assert "2 new members" in page
    assert _member("ruth@example.org").joined_on == date(2019, 5, 2)
    assert _member("owen@example.org").joined_on == date(2021, 3, 14)
    # a later import with corrected dates updates them
    _import(client, "name,email,local group,region,joined on\nRuth Evans,ruth@example.org,Cardiff,Wales,2018-01-09\n")
    assert _member("ruth@example.org").joined_on == date(2018, 1, 9)


@pytest.mark.parametrize("cell, words", [("2023-01-01", "is in the future"), ("last spring", "is not a date"),
                                         ("", "joining date is empty")])
def test_a_bad_joining_date_imports_nothing_and_says_which_line(app, client, cell, words):
    _admin(app, client)
    page = _import(client, "name,email,local group,region,joined on\n"
                           "Ruth Evans,ruth@example.org,Cardiff,Wales,2019-05-02\n"
                           f"Owen Price,owen@example.org,Cardiff,Wales,{cell}\n")
    assert "Nothing was imported" in page and "Line 3" in page and words in page
    assert _member("ruth@example.org") is None


def test_without_a_ballot_ahead_a_register_without_dates_is_accepted_and_dates_new_members_today(app, client):
    _admin(app, client)
    page = _import(client, "name,email,local group,region\nRuth Evans,ruth@example.org,Cardiff,Wales\n")
    assert "1 new member" in page
    assert _member("ruth@example.org").joined_on == NOW.date()


def test_with_a_ballot_ahead_a_register_without_dates_is_refused(app, client):
    _admin(app, client)
    conv = factories.convention()
    db.session.add(Ballot(convention_id=conv.id, title="Rule book ballot", opens_at=NOW + timedelta(days=20),
                          closes_at=NOW + timedelta(days=34), eligible_joined_by=date(2022, 3, 1)))
    db.session.commit()
    page = _import(client, "name,email,local group,region\nRuth Evans,ruth@example.org,Cardiff,Wales\n")
    assert "needs a “joined on” column" in page and "nothing was imported" in page
    assert _member("ruth@example.org") is None


@pytest.mark.parametrize("column, cell", [("name", '=HYPERLINK("http://evil.example","Ruth")'),
                                          ("local group", "+Cardiff"), ("region", "@SUM(A1)"),
                                          ("local group", "-1+1")])
def test_cells_that_a_spreadsheet_would_run_as_formulas_are_refused(app, client, column, cell):
    _admin(app, client)
    values = {"name": "Ruth Evans", "local group": "Cardiff", "region": "Wales"} | {column: cell}
    csv = ("name,email,local group,region\n"
           f'"{values["name"].replace(chr(34), chr(34) * 2)}",ruth@example.org,'
           f'"{values["local group"]}","{values["region"]}"\n')
    page = _import(client, csv)
    assert "Nothing was imported" in page and "begins like a spreadsheet formula" in page
    assert _member("ruth@example.org") is None
    assert db.session.scalar(select(LocalGroup).where(LocalGroup.name == cell)) is None
