"""Up/down counts stay exact under concurrency: many members, each sending the same vote several
times at once and then switching it, through two real app processes sharing the run's database
(SQLite file or PostgreSQL), and through one threaded server. After every burst the counts stored
on the scored row equal COUNT(*) of its vote rows, each member has one vote, and a switch moved
each count by exactly one."""
from __future__ import annotations

import random
import threading
from collections import Counter

import requests
from sqlalchemy import func, select

from forum.extensions import db
from forum.models import Amendment, AmendmentVote, Clarification, ClarificationVote
from forum.records.amendments import Draft
from forum.services import accounts, amendments, discussion
from tests import factories
from tests.app.amendment_helpers import world
from tests.live.servers import free_port, start_app, stop

MEMBERS = 12
REPEATS = 5  # how many copies of one request each member sends at once


def voters(count: int = MEMBERS) -> list[tuple[int, str]]:
    """`count` members, each with an API token: [(user id, token)]."""
    people = [factories.user(f"Voter {i}", email=f"voter{i}@example.org") for i in range(count)]
    return [(p.id, accounts.issue_api_token(p.id)) for p in people]


def burst(bases: list[str], path: str, plan: list[tuple[int, str, int]]) -> dict[int, list[tuple[int, dict]]]:
    """Send every (user id, token, value) of `plan` at once, spread over the servers in `bases`
    (value 0 withdraws); returns each member's (status, body) answers."""
    start = threading.Barrier(len(plan))
    answers: dict[int, list[tuple[int, dict]]] = {uid: [] for uid, _, _ in plan}
    lock = threading.Lock()

    def send(n: int, uid: int, token: str, value: int) -> None:
        headers = {"Authorization": f"Bearer {token}"}
        url = f"{bases[n % len(bases)]}{path}"
        with requests.Session() as http:
            start.wait()
            if value:
                response = http.put(url, json={"value": value}, headers=headers, timeout=60)
            else:
                response = http.delete(url, headers=headers, timeout=60)
        with lock:
            answers[uid].append((response.status_code, response.json()))

    threads = [threading.Thread(target=send, args=(n, *item)) for n, item in enumerate(plan)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return answers


def stored(model, vote_model, column: str, target_id: int) -> dict:
    """The counts on the scored row, the counts of its vote rows, and votes per member."""
    db.session.expire_all()
    row = db.session.get(model, target_id)
    target = getattr(vote_model, column)
    values = Counter(db.session.scalars(select(vote_model.value).where(target == target_id)))
    per_member = db.session.scalar(select(func.max(select(func.count()).where(target == target_id)
                                                   .group_by(vote_model.user_id).subquery().c[0])))
    return {"shown": (row.score, row.ups, row.downs),
            "rows": (values[1] - values[-1], values[1], values[-1]),
            "most_votes_by_one_member": per_member or 0}


def answered_once(answers: dict[int, list[tuple[int, dict]]]) -> list:
    """Of the identical requests a member sent at once, exactly one was counted and the rest were
    refused in words (422 vote_unchanged), never a server error: the members for whom not."""
    return [(uid, sorted(status for status, _ in got)) for uid, got in answers.items()
            if sorted(status for status, _ in got) != [200] + [422] * (len(got) - 1)
            or {body["error"] for status, body in got if status != 200} - {"vote_unchanged"}]


def exact_through(bases: list[str], path: str, members: list[tuple[int, str]], model, vote_model, column: str,
                  target_id: int) -> None:
    """Everyone votes up, then everyone switches to down, then a random mix; the counts are checked
    after each burst, the answers at the end (so a drift shows before a wrong answer does)."""
    every = [(uid, token) for uid, token in members for _ in range(REPEATS)]
    up = burst(bases, path, [(uid, token, 1) for uid, token in every])
    assert stored(model, vote_model, column, target_id) == {
        "shown": (MEMBERS, MEMBERS, 0), "rows": (MEMBERS, MEMBERS, 0), "most_votes_by_one_member": 1}

    down = burst(bases, path, [(uid, token, -1) for uid, token in every])
    # every switch moved each count by exactly one
    assert stored(model, vote_model, column, target_id) == {
        "shown": (-MEMBERS, 0, MEMBERS), "rows": (-MEMBERS, 0, MEMBERS), "most_votes_by_one_member": 1}

    chance = random.Random(12)
    mixed = burst(bases, path, [(uid, token, chance.choice((1, -1, 0))) for uid, token in every])
    after = stored(model, vote_model, column, target_id)
    assert after["shown"] == after["rows"] and after["most_votes_by_one_member"] <= 1, after

    assert answered_once(up) == [] and answered_once(down) == []
    assert {status for got in mixed.values() for status, _ in got} <= {200, 422}


def a_clarification() -> int:
    conv = factories.convention()
    alex = factories.user("Alex Moreno", email="alex@example.org")
    text = factories.proposal(alex, conv)
    return discussion.ask_clarification(alex, text.id, "What counts as a group?").id


def test_counts_stay_exact_with_concurrent_votes_through_two_app_processes(app, schema, tmp_path):
    clarification_id = a_clarification()
    members = voters()
    db.session.commit()
    processes, bases = [], []
    try:
        for _ in range(2):
            port = free_port()
            processes.append(start_app(schema, port, tmp_path / f"app-{port}.log"))
            bases.append(f"http://127.0.0.1:{port}")
        exact_through(bases, f"/api/v1/clarifications/{clarification_id}/vote", members,
                      Clarification, ClarificationVote, "clarification_id", clarification_id)
    finally:
        for process in processes:
            stop(process)


def test_counts_stay_exact_with_concurrent_amendment_votes_in_one_threaded_server(app, live_server):
    w = world(app)
    draft = Draft(kind="replace_words", clause_key="c1", start=4, end=5, text="every month",
                  rationale="Monthly is ambiguous.", base_version=1)
    amendment_id = amendments.propose_amendment(w.alex, w.text.id, draft).id
    members = voters()
    db.session.commit()
    exact_through([live_server], f"/api/v1/amendments/{amendment_id}/vote", members,
                  Amendment, AmendmentVote, "amendment_id", amendment_id)
