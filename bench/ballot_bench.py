"""How fast the all-member ballot takes ballots and publishes results, against the bare stack.

For each database (SQLite file, PostgreSQL): register 100,000 eligible members with API tokens,
build a 100-question ballot, then

1. cast a sample of ballots over HTTP: the app under werkzeug's threaded server in its own
   process on a free loopback port, 50 concurrent clients, each ballot answering most of the
   100 questions (POST /api/v1/ballots/<id>/papers, the same service as the form);
2. the ceiling: the same kind of ballots written straight through SQLAlchemy Core (voter
   mark, paper, one bulk insert of answers, one transaction each), no HTTP, no Flask;
3. fill the rest of the register's ballots in large batches (not timed as casting), so that
   the tally runs over one ballot from every one of the 100,000 members;
4. check that no ballot was lost or duplicated, and time the tally (the GROUP BY alone) and
   the whole results page (tally and render) over every paper cast.

    .venv/bin/python bench/ballot_bench.py [--db sqlite|postgresql|both] [--http-ballots 5000]

PostgreSQL: BENCH_POSTGRES_URL (default postgresql://postgres@127.0.0.1:5432/postgres); the
bench creates its own database and drops it afterwards.
"""
from __future__ import annotations

import argparse
import hashlib
import http.client
import json
import logging
import multiprocessing
import os
import random
import secrets
import shutil
import socket
import sys
import tempfile
import threading
import time
import uuid
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import create_engine, event, func, insert, select, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from config import Config, _database_url  # noqa: E402
from deliberation.ballot import RECEIPT_BYTES, new_receipt  # noqa: E402

OPENS = datetime(2030, 4, 20, 8, tzinfo=timezone.utc)
CLOSES = datetime(2030, 4, 30, 8, tzinfo=timezone.utc)
DURING = datetime(2030, 4, 25, 12, tzinfo=timezone.utc)
CHOICES = ("for", "against", "abstain")


def token(i: int) -> str:
    return f"cv_bench_{i:06d}"


def answers_for(rng: random.Random, question_ids: list[int]) -> dict[str, str]:
    """A member's answers: most questions answered, about one in ten left blank."""
    return {str(q): rng.choice(CHOICES) for q in question_ids if rng.random() > 0.1}


def make_app(url: str, clock=DURING):
    from forum import create_app
    app = create_app(Config(SQLALCHEMY_DATABASE_URI=url, RATELIMIT_ENABLED=False, SECRET_KEY="bench",
                            TESTING=False))
    app.config["CLOCK"] = lambda: clock
    return app


def set_up(url: str, voters: int, questions: int) -> tuple[int, list[int], list[int]]:
    """The schema, the register, an administrator and the ballot. Returns (ballot id, question ids, voter ids)."""
    from forum.extensions import db
    from forum.models import Convention, User
    from forum.services import ballots
    app = make_app(url)
    with app.app_context():
        db.create_all()
        conv = Convention(slug="bench", name="Bench convention")
        admin = User(name="Admin", email="admin@bench.example", joined_on=date(2020, 1, 1))
        from forum.models import RoleGrant
        admin.grants = [RoleGrant(role="admin")]
        db.session.add_all([conv, admin])
        db.session.commit()
        now = datetime.now(timezone.utc)
        for start in range(0, voters, 10_000):
            db.session.execute(insert(User), [
                {"name": f"Member {i}", "email": f"m{i}@bench.example", "joined_on": date(2021, 1, 1),
                 "region": "", "api_token_hash": hashlib.sha256(token(i).encode()).hexdigest(), "created_at": now}
                for i in range(start, min(start + 10_000, voters))])
        db.session.commit()
        per_section = questions // 5
        sections = [ballots.SectionSpec(f"Section {s + 1}", tuple(
            ballots.QuestionSpec(f"Question {s + 1}.{q + 1}: campaign for something worth a ballot.")
            for q in range(per_section))) for s in range(5)]
        ballot = ballots.create_ballot_from_sections(admin, conv.id, "Bench ballot", OPENS, CLOSES,
                                                     date(2022, 1, 1), sections)
        question_ids = [q.id for s in ballot.sections for q in s.questions]
        ids = {u: i for u, i in db.session.execute(select(User.api_token_hash, User.id).where(User.id != admin.id))}
        voter_ids = [ids[hashlib.sha256(token(i).encode()).hexdigest()] for i in range(voters)]
        db.engine.dispose()
        return ballot.id, question_ids, voter_ids


def serve(url: str, port: int, ready) -> None:
    """The app under werkzeug's threaded server, in its own process (its own interpreter lock)."""
    from werkzeug.serving import make_server
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    app = make_app(url)
    server = make_server("127.0.0.1", port, app, threaded=True)
    ready.set()
    server.serve_forever()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def cast_over_http(port: int, ballot_id: int, question_ids: list[int], first: int, count: int,
                   clients: int) -> dict:
    path = f"/api/v1/ballots/{ballot_id}/papers"
    work = iter(range(first, first + count))
    lock = threading.Lock()
    accepted: dict[int, int] = {}  # voter index -> answers sent
    statuses: dict[int, int] = {}
    retries = [0]

    def client(seed: int) -> None:
        rng = random.Random(seed)
        while True:
            with lock:
                i = next(work, None)
            if i is None:
                return
            body = json.dumps({"answers": answers_for(rng, question_ids)})
            for _attempt in range(5):
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
                conn.request("POST", path, body=body, headers={
                    "Content-Type": "application/json", "Authorization": f"Bearer {token(i)}"})
                response = conn.getresponse()
                response.read()
                conn.close()
                if response.status < 500:
                    break
                with lock:
                    retries[0] += 1
            with lock:
                statuses[response.status] = statuses.get(response.status, 0) + 1
                if response.status == 201:
                    accepted[i] = len(json.loads(body)["answers"])

    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - started
    return {"elapsed": elapsed, "rate": count / elapsed, "statuses": statuses, "accepted": accepted,
            "retries": retries[0]}


def cast_straight(url: str, ballot_id: int, question_ids: list[int], voter_ids: list[int], budget: float) -> dict:
    """The ceiling: the same three inserts per ballot in one transaction each, through SQLAlchemy Core."""
    from forum.models import BallotAnswer, BallotPaper, BallotVoter
    engine = create_engine(url)
    rng = random.Random(7)
    answers_written = 0
    started = time.perf_counter()
    done = 0
    for user_id in voter_ids:
        answers = answers_for(rng, question_ids)
        paper_id = secrets.randbits(63) or 1
        with engine.begin() as conn:
            conn.execute(insert(BallotVoter.__table__), {"ballot_id": ballot_id, "user_id": user_id})
            conn.execute(insert(BallotPaper.__table__), {"id": paper_id, "ballot_id": ballot_id,
                                                         "receipt": new_receipt(secrets.token_bytes(RECEIPT_BYTES))})
            conn.execute(insert(BallotAnswer.__table__), [{"paper_id": paper_id, "question_id": int(q), "choice": c}
                                                for q, c in answers.items()])
        answers_written += len(answers)
        done += 1
        if time.perf_counter() - started > budget:
            break
    elapsed = time.perf_counter() - started
    engine.dispose()
    return {"elapsed": elapsed, "rate": done / elapsed, "done": done, "answers": answers_written}


def fill(url: str, ballot_id: int, question_ids: list[int], voter_ids: list[int]) -> dict:
    """The rest of the register's ballots, written in large batches, so the tally runs over a full ballot.

    To keep the bench short these papers get increasing ids (appended to the tables' B-trees)
    instead of the random ids cast papers get; the tally reads the (question, choice) index either way.
    """
    from forum.models import BallotAnswer, BallotPaper, BallotVoter
    engine = create_engine(url)
    if url.startswith("sqlite"):
        @event.listens_for(engine, "connect")
        def _fast(dbapi_connection, record):  # the filler only: no fsync per batch, a big page cache
            dbapi_connection.execute("PRAGMA synchronous=OFF")
            dbapi_connection.execute("PRAGMA cache_size=-400000")
    next_id = 1 << 62
    rng = random.Random(11)
    started = time.perf_counter()
    written = 0
    for start in range(0, len(voter_ids), 2_000):
        voters, papers, answers = [], [], []
        for user_id in voter_ids[start:start + 2_000]:
            next_id += 1
            paper_id = next_id
            voters.append({"ballot_id": ballot_id, "user_id": user_id})
            papers.append({"id": paper_id, "ballot_id": ballot_id, "receipt": new_receipt(secrets.token_bytes(RECEIPT_BYTES))})
            answers += [{"paper_id": paper_id, "question_id": int(q), "choice": c}
                        for q, c in answers_for(rng, question_ids).items()]
        with engine.begin() as conn:
            conn.execute(insert(BallotVoter.__table__), voters)
            conn.execute(insert(BallotPaper.__table__), papers)
            if url.startswith("postgresql"):  # COPY: the filler is not what is measured, so take the fast road
                with conn.connection.cursor().copy("COPY ballot_answers (paper_id, question_id, choice) FROM STDIN") as copy:
                    for a in answers:
                        copy.write_row((a["paper_id"], a["question_id"], a["choice"]))
            else:
                conn.execute(insert(BallotAnswer.__table__), answers)
        written += len(answers)
    engine.dispose()
    return {"done": len(voter_ids), "answers": written, "elapsed": time.perf_counter() - started}


def check_and_tally(url: str, ballot_id: int, http_voters: set[int], expected_papers: int,
                    expected_answers: int) -> dict:
    from forum.extensions import db
    from forum.models import Ballot, BallotAnswer, BallotPaper, BallotVoter
    from forum.services import ballots
    app = make_app(url, clock=CLOSES + timedelta(minutes=1))
    with app.app_context():
        voters = set(db.session.scalars(select(BallotVoter.user_id).where(BallotVoter.ballot_id == ballot_id)))
        papers = db.session.scalar(select(func.count()).select_from(BallotPaper).where(BallotPaper.ballot_id == ballot_id))
        answers = db.session.scalar(select(func.count()).select_from(BallotAnswer))
        if url.startswith("postgresql"):
            db.session.execute(text("ANALYZE"))
            db.session.commit()
        lost = len(http_voters - voters)
        checks = {"papers": papers, "voters": len(voters), "answers": answers, "lost": lost,
                  "duplicated": papers - len(voters), "answers_match": answers == expected_answers,
                  "papers_match": papers == expected_papers}
        client = app.test_client()
        t0 = time.perf_counter()
        counts = ballots._count(db.session.get(Ballot, ballot_id))
        checks["tally"] = time.perf_counter() - t0
        timings = []
        for _ in range(3):  # the first view counts; the counts are final a minute after the close, so later views reuse them
            t1 = time.perf_counter()
            response = client.get(f"/ballots/{ballot_id}/results")
            timings.append(time.perf_counter() - t1)
            assert response.status_code == 200 and f"{papers} people voted in total" in response.get_data(as_text=True)
            db.session.remove()
        page = ballots.results(ballot_id, CLOSES + timedelta(minutes=1))
        checks["page"], checks["page_again"] = timings[0], min(timings[1:])
        assert counts[1] == papers
        checks["total_check"] = page.results.voters_total == papers
        db.engine.dispose()
    return checks


def database(kind: str):
    """A fresh database for one run: (url, cleanup)."""
    if kind == "sqlite":
        folder = tempfile.mkdtemp(prefix="convene-bench-")
        return f"sqlite:///{Path(folder) / 'bench.sqlite3'}", lambda: shutil.rmtree(folder, ignore_errors=True)
    server = make_url(_database_url(os.environ.get("BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")))
    name = f"convene_bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(server.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))

    def drop():
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
    return server.set(database=name).render_as_string(hide_password=False), drop


def run(kind: str, args) -> None:
    url, cleanup = database(kind)
    try:
        t0 = time.perf_counter()
        ballot_id, question_ids, voter_ids = set_up(url, args.voters, args.questions)
        print(f"\n== {kind}: {args.voters:,} eligible members, {len(question_ids)} questions "
              f"(set up in {time.perf_counter() - t0:.1f} s)")

        port = free_port()
        ctx = multiprocessing.get_context("fork")
        ready = ctx.Event()
        server = ctx.Process(target=serve, args=(url, port, ready), daemon=True)
        server.start()
        ready.wait(30)
        try:
            http = cast_over_http(port, ballot_id, question_ids, 0, args.http_ballots, args.clients)
        finally:
            server.terminate()
            server.join(5)
        print(f"HTTP, {args.clients} clients: {args.http_ballots:,} ballots in {http['elapsed']:.1f} s = "
              f"{http['rate']:,.0f} ballots/s (statuses {http['statuses']}, retries after 5xx: {http['retries']})")

        rest = voter_ids[args.http_ballots:]
        ceiling = cast_straight(url, ballot_id, question_ids, rest, args.ceiling_seconds)
        print(f"Ceiling, SQLAlchemy Core, no HTTP: {ceiling['done']:,} ballots in {ceiling['elapsed']:.1f} s = "
              f"{ceiling['rate']:,.0f} ballots/s")
        print(f"HTTP / ceiling: {http['rate'] / ceiling['rate']:.0%}")

        rest = rest[ceiling["done"]:]
        filled = fill(url, ballot_id, question_ids, rest) if args.fill else {"done": 0, "answers": 0, "elapsed": 0.0}
        if filled["done"]:
            print(f"Filled the rest of the register for the tally: {filled['done']:,} ballots in batches of 2,000 "
                  f"({filled['elapsed']:.1f} s)")
        http_voters = {voter_ids[i] for i in http["accepted"]}
        expected_answers = sum(http["accepted"].values()) + ceiling["answers"] + filled["answers"]
        checks = check_and_tally(url, ballot_id, http_voters, len(http["accepted"]) + ceiling["done"] + filled["done"],
                                 expected_answers)
        print(f"After the run: {checks['papers']:,} papers, {checks['voters']:,} voters, {checks['answers']:,} answers; "
              f"lost {checks['lost']}, duplicated {checks['duplicated']}, answers as sent: {checks['answers_match']}, "
              f"papers as accepted: {checks['papers_match']}")
        print(f"Tally ({checks['answers']:,} answers, one GROUP BY): {checks['tally'] * 1000:.0f} ms; "
              f"first results page (count, tally, render): {checks['page'] * 1000:.0f} ms; "
              f"later views: {checks['page_again'] * 1000:.0f} ms")
    finally:
        cleanup()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--voters", type=int, default=100_000)
    parser.add_argument("--questions", type=int, default=100)
    parser.add_argument("--http-ballots", type=int, default=5_000)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--no-fill", dest="fill", action="store_false",
                        help="tally only the ballots cast, without filling the rest of the register")
    parser.add_argument("--ceiling-seconds", type=float, default=20.0,
                        help="stop writing the ceiling's ballots after this long (the rest of the register otherwise)")
    args = parser.parse_args()
    for kind in (("sqlite", "postgresql") if args.db == "both" else (args.db,)):
        run(kind, args)


if __name__ == "__main__":
    main()
