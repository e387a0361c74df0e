from sqlalchemy import select

from forum.extensions import db
from forum.models import LocalGroup, User
from tests import factories


def test_member_registers_logs_out_and_logs_back_in(client):
    factories.convention()
    response = client.post("/register", {"name": "Nia Williams", "email": "Nia@Example.org",
                                         "password": "a long enough password", "local_group": 0})
    assert response.status_code == 303
    assert "Nia Williams" in client.get("/profile").get_data(as_text=True)
    client.post("/logout")
    assert client.get("/profile").status_code == 302  # back to the login page
    client.login("nia@example.org", "a long enough password")
    assert "nia@example.org" in client.get("/profile").get_data(as_text=True)


def test_short_password_and_taken_email_get_clear_messages(client):
    factories.user("Alex Moreno", email="alex@example.org")
    page = client.post("/register", {"name": "X", "email": "new@example.org", "password": "short"})
    assert page.status_code == 422 and "at least 10 characters" in page.get_data(as_text=True)
    page = client.post("/register", {"name": "Alex", "email": "alex@example.org", "password": "long enough password"})
    assert page.status_code == 422 and "already exists" in page.get_data(as_text=True)


def test_wrong_password_is_refused_without_saying_which_part_was_wrong(client):
    factories.user("Alex Moreno", email="alex@example.org")
    page = client.post("/login", {"email": "alex@example.org", "password": "not the password"})
    assert page.status_code == 422
    assert "do not match" in page.get_data(as_text=True)
    assert client.get("/profile").status_code == 302


def test_login_attempts_are_rate_limited(schema):
    database_url = schema
    from tests.support.clients import Browser
    from tests.support.database import make_config
    from forum import create_app
    app = create_app(make_config(database_url, RATELIMIT_ENABLED=True, LOGIN_RATE_LIMIT="3 per minute",
                                 RATELIMIT_STORAGE_URI="memory://"))
    with app.app_context():
        browser = Browser(app.test_client())
        codes = [browser.post("/login", {"email": "a@example.org", "password": "wrong password"}).status_code
                 for _ in range(5)]
    assert codes[:3] == [422, 422, 422]
    assert codes[3:] == [429, 429]


def test_forms_without_csrf_token_are_refused(client):
    factories.convention()
    response = client.client.post("/login", data={"email": "a@example.org", "password": "x"})
    assert response.status_code == 400
    assert "expired" in response.get_data(as_text=True)


def test_profile_shows_group_and_roles(client):
    sheffield = factories.group("Sheffield")
    factories.user("Sam Ellis", roles=("representative",), email="sam@example.org", group=sheffield)
    client.login("sam@example.org")
    page = client.get("/profile").get_data(as_text=True)
    assert "Sheffield" in page and "Local-group representative" in page


def test_administrator_imports_the_register_and_members_claim_their_entry(client, another_client):
    factories.user("Ada Okafor", roles=("admin",), email="ada@example.org")
    client.login("ada@example.org")
    csv = "name,email,local group,region\nRuth Evans,ruth@example.org,Cardiff,Wales\nOwen Price,OWEN@example.org,Cardiff,Wales\n"
    from io import BytesIO
    response = client.post("/admin/members/import", {"register": (BytesIO(csv.encode()), "register.csv")},
                           content_type="multipart/form-data")
    assert response.status_code == 303
    listing = client.get("/admin/members")
    assert listing.status_code == 200 and "2 new members" in listing.get_data(as_text=True)
    assert "Ruth Evans" in listing.get_data(as_text=True)
    owen = db.session.scalar(select(User).where(User.email == "owen@example.org"))
    assert owen.local_group.name == "Cardiff" and owen.region == "Wales" and not owen.has_password
    another_client.post("/register", {"name": "Owen Price", "email": "owen@example.org", "password": "my own password"})
    another_client.login("owen@example.org", "my own password")
    assert "Cardiff" in another_client.get("/profile").get_data(as_text=True)


def test_a_register_with_one_bad_row_imports_nothing(client):
    factories.user("Ada Okafor", roles=("admin",), email="ada@example.org")
    client.login("ada@example.org")
    csv = "name,email,local group,region\nRuth Evans,ruth@example.org,Cardiff,Wales\nNo Email,,Cardiff,Wales\n"
    from io import BytesIO
    client.post("/admin/members/import", {"register": (BytesIO(csv.encode()), "register.csv")},
                content_type="multipart/form-data")
    page = client.get("/admin/members").get_data(as_text=True)
    assert "Nothing was imported" in page and "Line 3" in page
    assert db.session.scalar(select(User).where(User.email == "ruth@example.org")) is None


def test_administrator_grants_roles_and_moves_a_member_in_the_browser(client):
    admin = factories.user("Ada Okafor", roles=("admin",), email="ada@example.org")
    leeds = factories.group("Leeds")
    jo = factories.user("Jo Whitfield", email="jo@example.org")
    client.login("ada@example.org")
    response = client.post(f"/admin/members/{jo.id}", {"roles": ["facilitator", "leadership"], "local_group": leeds.id})
    assert response.status_code == 303
    db.session.expire_all()
    jo = db.session.get(User, jo.id)
    assert jo.roles == {"member", "facilitator", "leadership"} and jo.local_group.name == "Leeds"
    assert admin.id != jo.id


def test_members_cannot_open_administration(client):
    factories.user("Alex Moreno", email="alex@example.org")
    client.login("alex@example.org")
    assert client.get("/admin/members").status_code == 403
    assert client.post("/admin/groups", {"name": "Sneaky"}).status_code == 403
    assert db.session.scalar(select(LocalGroup).where(LocalGroup.name == "Sneaky")) is None


def test_administrator_manages_local_groups_and_affiliates(client):
    factories.user("Ada Okafor", roles=("admin",), email="ada@example.org")
    client.login("ada@example.org")
    client.post("/admin/groups", {"name": "Plymouth", "region": "South West"})
    client.post("/admin/affiliates", {"affiliate-name": "Fire Brigades Union", "affiliate-kind": "trade_union"})
    page = client.get("/admin/groups").get_data(as_text=True)
    assert "Plymouth" in page and "Fire Brigades Union" in page
    duplicate = client.post("/admin/groups", {"name": "plymouth", "region": "South West"})
    assert duplicate.status_code == 303
    assert "already a local group called Plymouth" in client.get("/admin/groups").get_data(as_text=True)


def login_attempts_from(database_url, hops: int, forwarded_for) -> list[int]:
    """Five failed logins, each for another e-mail, so only the client address can be limited."""
    from forum import create_app
    from tests.support.clients import Browser
    from tests.support.database import make_config
    app = create_app(make_config(database_url, RATELIMIT_ENABLED=True, LOGIN_RATE_LIMIT="3 per minute",
                                 RATELIMIT_STORAGE_URI="memory://", PROXY_HOPS=hops))
    with app.app_context():
        browser = Browser(app.test_client())
        return [browser.post("/login", {"email": f"m{i}@example.org", "password": "wrong password"},
                             headers={"X-Forwarded-For": forwarded_for(i)}).status_code for i in range(5)]


def test_behind_one_proxy_each_client_address_has_its_own_login_limit(schema):
    database_url = schema
    assert login_attempts_from(database_url, 1, lambda i: f"203.0.113.{i}") == [422] * 5
    assert login_attempts_from(database_url, 1, lambda i: "203.0.113.9") == [422] * 3 + [429] * 2


def test_without_a_trusted_proxy_a_forged_forwarded_address_does_not_escape_the_limit(schema):
    database_url = schema
    assert login_attempts_from(database_url, 0, lambda i: f"203.0.113.{i}") == [422] * 3 + [429] * 2
