"""How fast is the proposal page with hundreds of amendments, and does its query count stay fixed?

Builds, in a scratch SQLite database (or DATABASE_URL), an interim proposal of 60 clauses with 300
amendments (through the amendment service, so each is validated and diffed), 1,000 comments and 200
clarifications, and a smaller one (15 clauses, 50 amendments, 100 comments, 20 clarifications).
For each it requests the page 30 times with the Flask test client as a logged-in member, and
reports the server time (median and p95), the SQL queries per page (counted with a
`before_cursor_execute` event), and the ratio of that time to rendering the same template from the
already-loaded data (the bare Jinja cost of the same HTML, measured in the same run).

    .venv/bin/python bench/amendments_page.py
"""
from __future__ import annotations

import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from flask import render_template, template_rendered  # noqa: E402

from forum import create_app  # noqa: E402
from forum.extensions import db  # noqa: E402
from forum.models import Clarification, Comment  # noqa: E402
from forum.services import amendments, proposals  # noqa: E402
from tests.app.amendment_helpers import world  # noqa: E402
from tests.support.database import make_config  # noqa: E402
from tests.support.queries import count_queries  # noqa: E402
from tests import factories  # noqa: E402

REQUESTS = 30
WORDS = ("members local groups should decide together how the organisation campaigns and who speaks for it "
         "in every nation and region with open accountable and democratic structures").split()


def build_text(w, rng: random.Random, clauses: int, n_amendments: int, n_comments: int, n_questions: int, authors):
    body = "\n\n".join(" ".join(rng.choice(WORDS) for _ in range(rng.randint(18, 40))).capitalize() + "."
                       for _ in range(clauses))
    text = proposals.create_proposal(w.facilitator, w.conv.id, f"A text of {clauses} clauses", body,
                                     w.conv.areas[0].id, origin="convention", state="interim")
    _, version = proposals.get_version(text.id)
    sizes = {c.key: len(c.body.split()) for c in version.clauses}
    keys = list(sizes)
    for i in range(n_amendments):
        key = rng.choice(keys)
        start = rng.randrange(sizes[key] - 3)
        change = rng.choice(["replace", "replace", "insert_after", "delete"])
        draft = amendments.Draft.from_change(change, key, start + 1, start + rng.randint(1, 3),
                                             " ".join(rng.choice(WORDS) for _ in range(3)), f"Because {i}.", 1)
        row = amendments.propose_amendment(rng.choice(authors), text.id, draft)
        row.score, row.ups, row.downs = rng.randint(-5, 20), rng.randint(0, 20), rng.randint(0, 5)
    for i in range(n_comments):
        db.session.add(Comment(proposal_id=text.id, clause_key=rng.choice(keys + [None]),
                               author_id=rng.choice(authors).id,
                               body=f"Comment {i}: " + " ".join(rng.sample(WORDS, 12))))
    for i in range(n_questions):
        db.session.add(Clarification(proposal_id=text.id, clause_key=rng.choice(keys + [None]),
                                     author_id=rng.choice(authors).id, question=f"Question {i}: what does this mean?",
                                     score=rng.randint(0, 9)))
    db.session.commit()
    return text


def measure(app, client, text_id: int) -> dict:
    url = f"/proposals/{text_id}?status=all"
    captured: dict = {}

    def capture(sender, template, context, **extra):
        if template.name == "proposals/show.html":
            captured.update(context)

    client.get(url)  # warm the template and Markdown caches
    template_rendered.connect(capture, app)
    try:
        times = []
        for _ in range(REQUESTS):
            with count_queries() as seen:
                started = time.perf_counter()
                response = client.get(url)
                times.append(time.perf_counter() - started)
            assert response.status_code == 200
        queries = seen.count
    finally:
        template_rendered.disconnect(capture, app)
    size = len(response.data)
    # The bare stack: render the same template from the same, already-loaded context.
    context = {k: v for k, v in captured.items() if k not in ("g", "request", "session", "config",
                                                                "current_user", "get_flashed_messages")}
    bare = []
    with app.test_request_context(url):
        from flask_login import login_user
        login_user(context.pop("current_user", None) or captured["current_user"])
        for _ in range(REQUESTS):
            started = time.perf_counter()
            render_template("proposals/show.html", **context)
            bare.append(time.perf_counter() - started)
    times.sort()
    bare.sort()
    return {"median_ms": statistics.median(times) * 1000, "p95_ms": times[int(0.95 * (len(times) - 1))] * 1000,
            "queries": queries, "bare_median_ms": statistics.median(bare) * 1000, "bytes": size,
            "ratio": statistics.median(times) / statistics.median(bare)}


def main() -> None:
    url = os.environ.get("DATABASE_URL") or f"sqlite:///{tempfile.mkdtemp()}/bench.sqlite3"
    app = create_app(make_config(url, WTF_CSRF_ENABLED=False))
    with app.app_context():
        db.drop_all()
        db.create_all()
        rng = random.Random(2026)
        w = world(app)
        authors = [w.alex, w.bea] + [factories.user(f"Member {i}", email=f"m{i}@example.org") for i in range(40)]
        small = build_text(w, rng, 15, 50, 100, 20, authors)
        large = build_text(w, rng, 60, 300, 1000, 200, authors)
        client = app.test_client()
        client.post("/login", data={"email": "bea@example.org", "password": factories.PASSWORD})
        results = {
            "small (15 clauses, 50 amendments, 100 comments, 20 clarifications)": measure(app, client, small.id),
            "large (60 clauses, 300 amendments, 1,000 comments, 200 clarifications)": measure(app, client, large.id),
        }
        db.session.remove()
        db.drop_all()
    print(f"Proposal page, {REQUESTS} requests each, Flask test client, logged-in member, "
          f"{'PostgreSQL' if url.startswith('postgres') else 'SQLite'}")
    for name, r in results.items():
        print(f"  {name}:")
        print(f"    server time median {r['median_ms']:.1f} ms, p95 {r['p95_ms']:.1f} ms; {r['queries']} SQL queries; "
              f"{r['bytes'] / 1024:.0f} KiB of HTML")
        print(f"    bare render of the same template from loaded data: median {r['bare_median_ms']:.1f} ms "
              f"-> page/bare ratio {r['ratio']:.2f}")


if __name__ == "__main__":
    main()
