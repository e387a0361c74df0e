import re

from tests import factories


def test_openapi_describes_every_api_route(app, client):
    spec = client.get("/api/openapi.json").json
    assert spec["openapi"].startswith("3.")
    documented = {(m.upper(), p) for p, ops in spec["paths"].items() for m in ops}
    served = set()
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/v1/"):
            path = re.sub(r"<(?:int:)?(\w+)>", r"{\1}", rule.rule)
            served |= {(m, path) for m in rule.methods - {"HEAD", "OPTIONS"}}
    assert served == documented


def test_api_docs_page_lists_operations(client):
    page = client.get("/api/docs").get_data(as_text=True)
    assert "/api/v1/clarifications/{clarification_id}/vote" in page


def test_personal_token_authenticates_without_csrf_and_bad_tokens_are_refused(app, client):
    conv = factories.convention()
    factories.user("Alex Moreno", email="alex@example.org")
    client.login("alex@example.org")
    page = client.post("/profile/token").get_data(as_text=True)
    token = re.search(r'<code class="token">([^<]+)</code>', page).group(1)
    bare = app.test_client()
    created = bare.post("/api/v1/proposals",
                        json={"title": "By token", "body": "One clause.", "area": conv.areas[0].id},
                        headers={"Authorization": f"Bearer {token}"})
    assert created.status_code == 201 and created.json["author"]["name"] == "Alex Moreno"
    assert "Set-Cookie" not in created.headers
    refused = bare.post("/api/v1/proposals", json={"title": "x", "body": "y", "area": conv.areas[0].id},
                        headers={"Authorization": "Bearer cv_wrong"})
    assert refused.status_code == 401 and refused.json["error"] == "token_invalid"


def test_session_calls_that_change_things_need_the_csrf_header(client):
    conv = factories.convention()
    factories.user("Alex Moreno", email="alex@example.org")
    client.login("alex@example.org")
    response = client.client.post("/api/v1/proposals", json={"title": "x", "body": "y", "area": conv.areas[0].id})
    assert response.status_code == 400 and response.json["error"] == "csrf_failed"
    assert client.api("POST", "/api/v1/proposals",
                      {"title": "x", "body": "y", "area": conv.areas[0].id}).status_code == 201


def test_anonymous_readers_can_read_but_not_write(client):
    conv = factories.convention()
    alex = factories.user("Alex Moreno", email="alex@example.org")
    proposal = factories.proposal(alex, conv)
    assert client.get(f"/api/v1/proposals/{proposal.id}").status_code == 200
    response = client.api("POST", f"/api/v1/proposals/{proposal.id}/comments", {"body": "Hello"})
    assert response.status_code == 401 and response.json["error"] == "login_required"
