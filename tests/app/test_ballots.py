"""The all-member ballot over HTTP: seed 004 reproduced, one ballot per member under concurrency,
the closing time, bad input, receipts, turnout and results only after the close."""
from __future__ import annotations

import csv
import io
import re
import threading
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest
import requests
from markupsafe import escape
from sqlalchemy import func, select

from deliberation.ballot import ballots_reproducing, format_count_line, parse_seed_results
from forum.extensions import db
from forum.models import BallotAnswer, BallotPaper, BallotVoter, Proposal
from forum.services import accounts, ballots, proposals
from tests import factories

SEED = parse_seed_results(
    (Path(__file__).resolve().parents[2] / "forum" / "demo" / "seeds" / "004_db4f9530e61cc96f.txt").read_text())
OPENS = datetime(2022, 4, 20, 8, 0, tzinfo=timezone.utc)
CLOSES = datetime(2022, 4, 30, 8, 0, tzinfo=timezone.utc)
DURING = datetime(2022, 4, 25, 12, 0, tzinfo=timezone.utc)
AFTER = CLOSES + timedelta(minutes=1)
SEAL = re.compile(r'name="seal" value="([^"]+)"')
HIDDEN_ANSWER = re.compile(r'name="(q-\d+)" value="(\w*)"')


def set_clock(app, moment: datetime) -> None:
    app.config["CLOCK"] = lambda: moment


def seed_ballot(admin, conv, sections=SEED.sections, **kwargs):
    specs = [ballots.SectionSpec(s.title, tuple(ballots.QuestionSpec(q.text) for q in s.questions))
             for s in sections]
    return ballots.create_ballot_from_sections(admin, conv.id, kwargs.get("title", "Refounding ballot"),
                                               OPENS, CLOSES, date(2021, 6, 1), specs)


def question_ids(ballot) -> dict[tuple[int, int], int]:
    return {(s.number, q.number): q.id for s in ballot.sections for q in s.questions}


def counted() -> tuple[int, int, int]:
    return tuple(db.session.scalar(select(func.count()).select_from(t)) for t in (BallotVoter, BallotPaper, BallotAnswer))


def review_and_cast(browser, ballot_id: int, answers: dict[str, str]):
    """Fill in the form, review it, and cast exactly what the review page sends."""
    review = browser.post(f"/ballots/{ballot_id}/review", {f"q-{k}": v for k, v in answers.items()})
    assert review.status_code == 200, review.get_data(as_text=True)
    page = review.get_data(as_text=True)
    cast_form = page[page.index('action="/ballots/%d/cast"' % ballot_id):]
    cast_form = cast_form[:cast_form.index("</form>")]
    data = dict(HIDDEN_ANSWER.findall(cast_form))
    data["seal"] = SEAL.search(cast_form).group(1)
    return browser.post(f"/ballots/{ballot_id}/cast", data)


@pytest.fixture
def setting(app):
    conv = factories.convention()
    admin = factories.user("Ada Okafor", roles=("admin",), email="admin@example.org")
    ballot = seed_ballot(admin, conv)
    set_clock(app, DURING)
    return conv, admin, ballot


def test_the_56_ballots_of_004_cast_over_http_reproduce_the_published_results(app, setting):
    from tests.support.clients import Browser
    conv, admin, ballot = setting
    ids = question_ids(ballot)
    papers = ballots_reproducing(SEED)
    assert len(papers) == 56
    for i, paper in enumerate(papers):
        factories.user(f"Voter {i}", email=f"voter{i}@example.org")
        browser = Browser(app.test_client())
        browser.login(f"voter{i}@example.org")
        response = review_and_cast(browser, ballot.id, {ids[key]: c.value for key, c in paper.items()})
        assert response.status_code == 303 and response.headers["Location"].endswith(f"/ballots/{ballot.id}/receipt")
    assert counted()[:2] == (56, 56)

    set_clock(app, AFTER)
    page = app.test_client().get(f"/ballots/{ballot.id}/results").get_data(as_text=True)
    assert "56 people voted in total." in page
    shown = re.findall(r"data-counts>([^<]+)<", page)
    expected = [format_count_line(q.count) for s in SEED.sections for q in s.questions]
    assert shown == expected and len(shown) == 76
    assert "13 for; 0 against" not in page  # kinds nobody chose are left out, as in 004

    rows = list(csv.DictReader(io.StringIO(app.test_client().get(f"/ballots/{ballot.id}/results.csv").get_data(as_text=True))))
    published = {(s.number, q.number): q.count for s in SEED.sections for q in s.questions}
    assert len(rows) == len(published)
    for row in rows:
        count = published[(int(row["section"]), int(row["question"]))]
        assert (int(row["for"]), int(row["against"]), int(row["abstained"])) == (count.votes_for, count.against, count.abstained)
        assert int(row["not_voting"]) == 56 - count.answered
    as_json = app.test_client().get(f"/api/v1/ballots/{ballot.id}/results").json
    assert as_json["voters_total"] == 56
    assert [(q["for"], q["against"], q["abstained"]) for q in as_json["questions"]] == \
        [(c.votes_for, c.against, c.abstained) for c in published.values()]
    brexit = next(q for q in as_json["questions"] if q["section"] == 1 and q["question"] == 14)
    assert brexit["carried"] is False and "9 for, 47 against" in brexit["reason"]


def test_results_stay_hidden_until_the_close_even_from_administrators(app, setting, client):
    conv, admin, ballot = setting
    client.login("admin@example.org")
    for url in (f"/ballots/{ballot.id}/results", f"/ballots/{ballot.id}/results.csv", f"/api/v1/ballots/{ballot.id}/results"):
        response = client.get(url)
        assert response.status_code == 403, url
    assert "published when the ballot closes" in client.get(f"/ballots/{ballot.id}/results").get_data(as_text=True)
    set_clock(app, CLOSES)
    assert client.get(f"/ballots/{ballot.id}/results").status_code == 200


def test_a_member_reviews_sees_what_is_unanswered_casts_once_and_checks_the_receipt(app, setting, client):
    conv, admin, ballot = setting
    factories.user("Alex Moreno", email="alex@example.org")
    client.login("alex@example.org")
    ids = question_ids(ballot)
    form = client.get(f"/ballots/{ballot.id}").get_data(as_text=True)
    assert form.count('type="radio"') == 76 * 4 and "You have answered <span data-answered>0</span> of 76" in form
    review = client.post(f"/ballots/{ballot.id}/review", {f"q-{ids[(1, 1)]}": "for", f"q-{ids[(1, 2)]}": "abstain",
                                                        f"q-{ids[(1, 3)]}": ""}).get_data(as_text=True)
    assert "You answered <strong>2 of 76</strong>" in review
    assert review.count("Not answered") == 74 and "not the same as abstaining" in review
    response = review_and_cast(client, ballot.id, {ids[(1, 1)]: "for", ids[(1, 2)]: "abstain"})
    receipt_page = client.get(response.headers["Location"]).get_data(as_text=True)
    receipt = re.search(r"<code data-receipt>([^<]+)</code>", receipt_page).group(1)
    assert "shown only this once" in receipt_page
    assert "data-receipt" not in client.get(f"/ballots/{ballot.id}/receipt").get_data(as_text=True)

    anyone = factories and app.test_client()
    from tests.support.clients import Browser
    checker = Browser(anyone)
    found = checker.post(f"/ballots/{ballot.id}/check", {"receipt": receipt.lower().replace("-", " ")}).get_data(as_text=True)
    assert "Counted." in found and receipt in found
    other = checker.post(f"/ballots/{ballot.id}/check", {"receipt": "0" * 26}).get_data(as_text=True)
    assert "Not found." in other
    bad = checker.post(f"/ballots/{ballot.id}/check", {"receipt": "nonsense"})
    assert bad.status_code == 422 and "not a receipt code" in bad.get_data(as_text=True)
    assert counted() == (1, 1, 2)
    again = client.get(f"/ballots/{ballot.id}").get_data(as_text=True)
    assert "You have voted in this ballot" in again and 'type="radio"' not in again


def test_a_ballot_accepted_before_the_close_is_counted_and_one_a_moment_after_is_refused(app, setting):
    from tests.support.clients import Browser
    conv, admin, ballot = setting
    ids = question_ids(ballot)
    early, late = (factories.user(n, email=f"{n}@example.org") for n in ("early", "late"))
    first, second = Browser(app.test_client()), Browser(app.test_client())
    first.login("early@example.org")
    second.login("late@example.org")
    set_clock(app, CLOSES - timedelta(microseconds=1))
    assert review_and_cast(first, ballot.id, {ids[(1, 1)]: "for"}).status_code == 303
    review = second.post(f"/ballots/{ballot.id}/review", {f"q-{ids[(1, 1)]}": "against"})
    seal = SEAL.search(review.get_data(as_text=True)).group(1)  # reviewed before the close...
    set_clock(app, CLOSES)  # ...sent a moment after it
    refused = second.post(f"/ballots/{ballot.id}/cast", {f"q-{ids[(1, 1)]}": "against", "seal": seal,
                                                          "next": f"/ballots/{ballot.id}"})
    assert refused.status_code == 303
    assert "ballots can no longer be cast" in second.get(refused.headers["Location"]).get_data(as_text=True)
    api = second.api("POST", f"/api/v1/ballots/{ballot.id}/papers", {"answers": {str(ids[(1, 1)]): "against"}})
    assert api.status_code == 422 and api.json["error"] == "ballot_closed"
    results = app.test_client().get(f"/api/v1/ballots/{ballot.id}/results").json
    assert results["voters_total"] == 1 and results["questions"][0]["for"] == 1 and results["questions"][0]["against"] == 0


def test_a_ballot_before_the_opening_is_refused(app, setting, client):
    conv, admin, ballot = setting
    factories.user("Alex Moreno", email="alex@example.org")
    client.login("alex@example.org")
    set_clock(app, OPENS - timedelta(seconds=1))
    page = client.get(f"/ballots/{ballot.id}").get_data(as_text=True)
    assert "not open yet" in page and 'type="radio"' not in page
    response = client.api("POST", f"/api/v1/ballots/{ballot.id}/papers", {"answers": {"1": "for"}})
    assert response.status_code == 422 and response.json["error"] == "ballot_not_open"
    assert counted() == (0, 0, 0)


@pytest.mark.parametrize("answers, code", [
    ({"999999": "for"}, "unknown_question"),
    ({"abc": "for"}, "unknown_question"),
    ({"FIRST": "maybe"}, "unknown_choice"),
    ({"FIRST": ""}, "ballot_empty"),
])
def test_bad_answers_are_refused_and_change_nothing(app, setting, client, answers, code):
    conv, admin, ballot = setting
    factories.user("Alex Moreno", email="alex@example.org")
    client.login("alex@example.org")
    first = str(question_ids(ballot)[(1, 1)])
    answers = {first if k == "FIRST" else k: v for k, v in answers.items()}
    response = client.api("POST", f"/api/v1/ballots/{ballot.id}/papers", {"answers": answers})
    assert response.status_code == 422 and response.json["error"] == code, response.json
    page = client.post(f"/ballots/{ballot.id}/review", {f"q-{k}": v for k, v in answers.items()})
    assert page.status_code == 422 and str(escape(response.json["message"])) in page.get_data(as_text=True)
    assert counted() == (0, 0, 0)


def test_tampered_replayed_or_borrowed_forms_are_refused_and_change_nothing(app, setting, client, another_client):
    conv, admin, ballot = setting
    ids = question_ids(ballot)
    factories.user("Alex Moreno", email="alex@example.org")
    factories.user("Bea Hughes", email="bea@example.org")
    client.login("alex@example.org")
    another_client.login("bea@example.org")
    review = client.post(f"/ballots/{ballot.id}/review", {f"q-{ids[(1, 1)]}": "for"}).get_data(as_text=True)
    seal = SEAL.search(review).group(1)
    url = f"/ballots/{ballot.id}/cast"

    changed = client.post(url, {f"q-{ids[(1, 1)]}": "against", "seal": seal, "next": f"/ballots/{ballot.id}"})
    assert "differ from the ones you reviewed" in client.get(changed.headers["Location"]).get_data(as_text=True)
    forged = client.post(url, {f"q-{ids[(1, 1)]}": "for", "seal": seal[:-3] + "abc", "next": f"/ballots/{ballot.id}"})
    assert "changed after it was prepared" in client.get(forged.headers["Location"]).get_data(as_text=True)
    borrowed = another_client.post(url, {f"q-{ids[(1, 1)]}": "for", "seal": seal})
    assert borrowed.status_code == 403 and "prepared for another member" in borrowed.get_data(as_text=True)
    for_other = another_client.api("POST", f"/api/v1/ballots/{ballot.id}/papers",
                                   {"answers": {str(ids[(1, 1)]): "for"}, "voter": 1})
    assert for_other.status_code == 403 and for_other.json["error"] == "ballot_for_another_member"
    assert counted() == (0, 0, 0)

    assert client.post(url, {f"q-{ids[(1, 1)]}": "for", "seal": seal}).status_code == 303
    replayed = client.post(url, {f"q-{ids[(1, 1)]}": "for", "seal": seal, "next": f"/ballots/{ballot.id}"})
    assert "already voted" in client.get(replayed.headers["Location"]).get_data(as_text=True)
    again = client.api("POST", f"/api/v1/ballots/{ballot.id}/papers", {"answers": {str(ids[(1, 2)]): "for"}})
    assert again.status_code == 409 and again.json["error"] == "already_voted"
    assert counted() == (1, 1, 1)


def test_members_who_joined_after_the_cut_off_cannot_vote(app, setting, client):
    conv, admin, ballot = setting
    late = factories.user("New Member", email="new@example.org")
    late.joined_on = date(2021, 6, 2)
    db.session.commit()
    client.login("new@example.org")
    assert "Only members who joined on or before 1 June 2021" in client.get(f"/ballots/{ballot.id}").get_data(as_text=True)
    response = client.api("POST", f"/api/v1/ballots/{ballot.id}/papers", {"answers": {str(question_ids(ballot)[(1, 1)]): "for"}})
    assert response.status_code == 403 and response.json["error"] == "ballot_not_eligible"
    assert counted() == (0, 0, 0)


def test_administrators_see_turnout_but_never_the_running_counts(app, setting, client, another_client):
    conv, admin, ballot = setting
    factories.user("Alex Moreno", email="alex@example.org")
    another_client.login("alex@example.org")
    response = another_client.api("POST", f"/api/v1/ballots/{ballot.id}/papers",
                                  {"answers": {str(question_ids(ballot)[(1, 1)]): "against"}})
    assert response.status_code == 201
    assert another_client.get(f"/api/v1/ballots/{ballot.id}/turnout").status_code == 403
    assert another_client.get(f"/admin/ballots/{ballot.id}").status_code == 403
    client.login("admin@example.org")
    assert client.get(f"/api/v1/ballots/{ballot.id}/turnout").json == {
        "ballot": ballot.id, "voted": 1, "eligible": 2, "status": "open"}
    page = client.get(f"/admin/ballots/{ballot.id}").get_data(as_text=True)
    assert "<span data-voted>1</span> of <span data-eligible>2</span> eligible members have voted" in page
    assert not re.search(r"\b1 (for|against|abstained)\b", page) and "data-counts" not in page


def test_an_administrator_builds_a_ballot_from_texts_and_pairs_a_counter_proposal(app, client):
    conv = factories.convention()
    factories.user("Ada Okafor", roles=("admin",), email="admin@example.org")
    author = factories.user("Jo Whitfield", roles=("facilitator",), email="jo@example.org")
    submission = factories.proposal(author, conv, title="A submission")
    factories.full_timeline(conv, start=datetime(2022, 1, 1, 9, tzinfo=timezone.utc))  # the leadership round closed
    set_clock(app, DURING)
    leadership = factories.user("Nat Green", roles=("leadership",), email="nat@example.org")
    area = conv.areas[0].id
    text = proposals.create_proposal(author, conv.id, "Refound the organisation",
                                     "Campaign for open selections.\n\nBallot all members on policy.\n\nMeet monthly.",
                                     area, origin="convention", state="final")
    counter = proposals.create_proposal(leadership, conv.id, "NCG counter-proposal", "Meet every two months.", area,
                                        origin="counter_proposal", state="final")
    client.login("admin@example.org")
    build = {"title": "Final ballot", "opens_at": "2030-04-20T09:00", "closes_at": "2030-04-30T09:00",
             "eligible_joined_by": "2030-03-01"}
    refused = client.post("/admin/ballots", {**build, "texts": [str(text.id), str(submission.id)],
                                             "next": "/admin/ballots"})
    assert refused.status_code == 303 and refused.headers["Location"].endswith("/admin/ballots")  # with the reason
    shown = client.get(refused.headers["Location"]).get_data(as_text=True)
    assert "“A submission” cannot go on the ballot. This text is a submission;" in shown
    assert "Final ballot" not in shown  # nothing was built
    response = client.post("/admin/ballots", {**build, "texts": [str(text.id), str(counter.id)]})
    assert response.status_code == 303
    db.session.expire_all()
    assert [db.session.get(Proposal, p.id).state for p in (text, counter, submission)] == [
        "on_ballot", "on_ballot", "submission"]
    ballot_id = int(response.headers["Location"].rsplit("/", 1)[1])
    page = ballots.ballot_page(None, ballot_id, DURING)
    assert page.ballot.opens_at == datetime(2030, 4, 20, 8, 0, tzinfo=timezone.utc)  # 09:00 in London (BST)
    assert [(s.title, [q.text for q in s.questions]) for s in page.ballot.sections] == [
        ("Refound the organisation", ["Campaign for open selections.", "Ballot all members on policy.", "Meet monthly."]),
        ("NCG counter-proposal", ["Meet every two months."])]
    monthly, every_two = page.ballot.sections[0].questions[2], page.ballot.sections[1].questions[0]
    form = {f"majority-{q.id}": "simple" for q in page.questions.values()}
    form.update({f"keep-{q.id}": "1" for q in page.questions.values()})
    form[f"majority-{monthly.id}"] = "two_thirds"
    form[f"counter-{every_two.id}"] = str(monthly.id)
    assert client.post(f"/admin/ballots/{ballot_id}", form).status_code == 303
    db.session.expire_all()
    page = ballots.ballot_page(None, ballot_id, DURING)
    assert len(page.ballot.sections) == 1  # the counter-proposal moved beside the proposal it answers
    assert [(q.number, q.text, q.majority) for q in page.ballot.sections[0].questions][2:] == [
        (3, "Meet monthly.", "two_thirds"), (4, "Meet every two months.", "simple")]
    shown = client.get(f"/ballots/{ballot_id}").get_data(as_text=True)
    assert "Leadership counter-proposal to question 1.3" in shown and "the one with more votes for is adopted" in shown
    refused = client.post(f"/admin/ballots/{ballot_id}", {**form, f"counter-{monthly.id}": str(every_two.id)})
    assert refused.status_code == 303  # refused with a message: a counter-proposal must answer a proposal
    db.session.expire_all()
    assert ballots.ballot_page(None, ballot_id, DURING).questions[monthly.id].counter_to_id is None


def test_only_administrators_build_ballots(app, client):
    factories.convention()
    factories.user("Alex Moreno", email="alex@example.org")
    client.login("alex@example.org")
    assert client.get("/admin/ballots").status_code == 403


# --- one member, one ballot, against a live server -------------------------------------------


def test_the_same_members_ballot_sent_by_many_clients_at_once_is_counted_once(app, setting, live_server):
    conv, admin, ballot = setting
    member = factories.user("Alex Moreno", email="alex@example.org")
    token = accounts.issue_api_token(member.id)
    answers = {str(qid): "for" for qid in list(question_ids(ballot).values())[:70]}
    clients = 24
    start = threading.Barrier(clients)
    statuses: list[int] = []
    errors: list[str] = []

    def send():
        with requests.Session() as http:
            start.wait()
            response = http.post(f"{live_server}/api/v1/ballots/{ballot.id}/papers", json={"answers": answers},
                                 headers={"Authorization": f"Bearer {token}"}, timeout=30)
            statuses.append(response.status_code)
            if response.status_code == 409:
                errors.append(response.json()["error"])

    threads = [threading.Thread(target=send) for _ in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(statuses) == [201] + [409] * (clients - 1)
    assert set(errors) == {"already_voted"}
    db.session.expire_all()
    assert counted() == (1, 1, 70)
