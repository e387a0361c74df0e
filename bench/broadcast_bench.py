"""How fast a vote in a consensus check reaches every observer of a live session, next to a bare
python-socketio server broadcasting the same payload to the same clients, in the same run.

    .venv/bin/python bench/broadcast_bench.py [--clients 100,500,1000,2000] [--votes 40] [--mode gevent]

For each N: start the app (`python wsgi.py`, its own process, on a fresh SQLite file with one open
session and an open check) and the bare server (bench/bare_server.py, its own process); connect N
observer clients (asyncio python-socketio AsyncClient, websocket transport, in this process) plus
one voter; then the voter changes their answer `--votes` times, one after the other. A vote's time
runs from just before the voter emits `answer_check` until the updated `tally_changed` has reached
the last of the N observers; the app stores the answer and commits before it emits. The bare
server gets the app's real tally payload and only broadcasts it. Then `--voters` seated members
answer as fast as their acks come back for `--seconds`, with `--throughput-clients` observers
connected: the votes per second one session sustains.
"""
from __future__ import annotations

import argparse
import asyncio
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

import socketio

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
NS = "/sessions"
SECRET = "bench-secret"
WARM_UP = 3


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_port(port: int, process: subprocess.Popen, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"server on {port} exited with {process.returncode}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.1)
    raise SystemExit(f"nothing listens on {port}")


def seed(database_url: str, observers: int, voters: int) -> dict:
    """One assembly, one open session with an open check, and members to log in as."""
    from sqlalchemy import insert, select

    from config import Config
    from forum import create_app
    from forum.extensions import db
    from forum.models import Area, Assembly, AssemblySeat, Convention, User
    from forum.services import proposals
    from forum.services.sessions import checks, schedule

    app = create_app(Config(SQLALCHEMY_DATABASE_URI=database_url, SECRET_KEY=SECRET))
    with app.app_context():
        db.create_all()
        conv = Convention(slug="bench", name="Bench convention")
        db.session.add(conv)
        db.session.flush()
        area = Area(convention_id=conv.id, slug="power", name="Power and Participation")
        facilitator = User(name="Jo Whitfield", email="jo@bench.example")
        seated = [User(name=f"Seated member {i}", email=f"seated{i}@bench.example") for i in range(voters)]
        db.session.add_all([area, facilitator, *seated])
        db.session.flush()
        db.session.execute(insert(User), [{"name": f"Observer {i}", "email": f"observer{i}@bench.example"}
                                          for i in range(observers)])
        observer_ids = list(db.session.scalars(select(User.id).where(User.email.like("observer%")).order_by(User.id)))
        assembly = Assembly(convention_id=conv.id, area_id=area.id, name="Power and Participation Assembly")
        assembly.seats = [AssemblySeat(user=facilitator, category="facilitator"),
                          *[AssemblySeat(user=u, category="individual") for u in seated]]
        db.session.add(assembly)
        db.session.commit()
        text = proposals.create_proposal(facilitator, conv.id, "Hand power to local groups",
                                         "Local groups decide.\n\nNations and regions meet.", area.id,
                                         origin="convention", state="draft")
        session = schedule.schedule_session(facilitator, assembly.id, "Bench sitting",
                                                 datetime.now(timezone.utc), [text.id])
        schedule.open_session(facilitator, session.id)
        checks.open_check(facilitator, session.id)
        serializer = app.session_interface.get_signing_serializer(app)

        def cookie(uid: int) -> str:
            return "session=" + serializer.dumps({"_user_id": str(uid), "_fresh": True})

        return {"session": session.id, "voters": [cookie(u.id) for u in seated],
                "observers": [cookie(uid) for uid in observer_ids]}


def start(cmd: list[str], port: int, env: dict, log: Path) -> subprocess.Popen:
    process = subprocess.Popen(cmd, cwd=ROOT, env={**os.environ, **env}, stdout=log.open("ab"),
                               stderr=subprocess.STDOUT, start_new_session=True)
    wait_for_port(port, process)
    return process


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


class Arrivals:
    """For each seq: how many observers got it, and when the last one did."""

    def __init__(self) -> None:
        self.by_seq: dict[int, list] = {}

    async def tally(self, payload) -> None:
        entry = self.by_seq.setdefault(payload["seq"], [0, 0.0])
        entry[0] += 1
        entry[1] = time.perf_counter()

    async def reached(self, seq: int, n: int, timeout: float = 30.0) -> float:
        deadline = time.perf_counter() + timeout
        while self.by_seq.get(seq, (0,))[0] < n:
            if time.perf_counter() > deadline:
                raise TimeoutError(f"seq {seq} reached {self.by_seq.get(seq, (0,))[0]} of {n} clients")
            await asyncio.sleep(0.0005)
        return self.by_seq[seq][1]


async def connect(url: str, cookie: str | None, join: tuple[str, dict], on_tally=None) -> socketio.AsyncClient:
    client = socketio.AsyncClient(reconnection=False)
    if on_tally is not None:
        client.on("tally_changed", on_tally, namespace=NS)
    await client.connect(url, headers={"Cookie": cookie} if cookie else {}, namespaces=[NS],
                         transports=["websocket"], wait_timeout=30)
    ack = await client.call(join[0], join[1], namespace=NS, timeout=60)
    assert ack.get("ok"), ack
    return client


async def connect_many(url: str, cookies: list, join: tuple[str, dict], on_tally) -> list[socketio.AsyncClient]:
    clients: list[socketio.AsyncClient] = []
    for start_at in range(0, len(cookies), 100):
        batch = cookies[start_at:start_at + 100]
        clients += await asyncio.gather(*(connect(url, c, join, on_tally) for c in batch))
    return clients


async def disconnect_all(clients: list[socketio.AsyncClient]) -> None:
    for start_at in range(0, len(clients), 200):
        await asyncio.gather(*(c.disconnect() for c in clients[start_at:start_at + 200]))


def percentile(samples: list[float], p: int) -> float:
    return statistics.quantiles(samples, n=100, method="inclusive")[p - 1]


async def vote_latencies(voter, event: str, payload, n: int, votes: int, arrivals: Arrivals) -> list[float]:
    times = []
    for i in range(votes + WARM_UP):
        started = time.perf_counter()
        ack = await voter.call(event, payload(i), namespace=NS, timeout=30)
        assert ack.get("ok"), ack
        last = await arrivals.reached(ack["seq"], n)
        if i >= WARM_UP:
            times.append(last - started)
        await asyncio.sleep(0.02)
    return times


def app_vote(session_id: int):
    return lambda i: {"session": session_id, "response": "agree" if i % 2 else "stand_aside"}


async def run_size(n: int, args, seeded: dict, app_url: str, bare_url: str) -> dict:
    session_id = seeded["session"]
    result = {}
    # The app: observers join the session as members without a seat.
    arrivals = Arrivals()
    observers = await connect_many(app_url, seeded["observers"][:n], ("join_session", {"session": session_id}),
                                   arrivals.tally)
    voter = await connect(app_url, seeded["voters"][0], ("join_session", {"session": session_id}))
    sample = await voter.call("answer_check", {"session": session_id, "response": "agree"}, namespace=NS, timeout=30)
    result["app"] = await vote_latencies(voter, "answer_check", app_vote(session_id), n, args.votes, arrivals)
    await disconnect_all([*observers, voter])
    # The bare stack: the same payload to the same number of clients.
    arrivals = Arrivals()
    observers = await connect_many(bare_url, [None] * n, ("join", {}), arrivals.tally)
    voter = await connect(bare_url, None, ("join", {}))
    payload = {k: v for k, v in sample.items() if k != "ok"}
    result["bare"] = await vote_latencies(voter, "vote", lambda i: payload, n, args.votes, arrivals)
    await disconnect_all([*observers, voter])
    return result


async def throughput(args, seeded: dict, app_url: str) -> float:
    session_id = seeded["session"]
    arrivals = Arrivals()
    observers = await connect_many(app_url, seeded["observers"][:args.throughput_clients],
                                   ("join_session", {"session": session_id}), arrivals.tally)
    voters = await asyncio.gather(*(connect(app_url, c, ("join_session", {"session": session_id}))
                                    for c in seeded["voters"]))
    count = 0
    stop_at = time.perf_counter() + args.seconds

    async def keep_voting(voter, offset: int) -> None:
        nonlocal count
        i = offset
        while time.perf_counter() < stop_at:
            ack = await voter.call("answer_check", app_vote(session_id)(i), namespace=NS, timeout=30)
            assert ack.get("ok"), ack
            count += 1
            i += 1

    started = time.perf_counter()
    await asyncio.gather(*(keep_voting(v, k) for k, v in enumerate(voters)))
    elapsed = time.perf_counter() - started
    await disconnect_all([*observers, *voters])
    return count / elapsed


async def main_async(args, seeded: dict, app_url: str, bare_url: str) -> None:
    sizes = [int(s) for s in args.clients.split(",")]
    print(f"async mode {args.mode}; {args.votes} votes per size after {WARM_UP} warm-up votes; times in ms")
    print(f"{'clients':>8} {'app p50':>9} {'app p99':>9} {'bare p50':>9} {'bare p99':>9} {'p99 ratio':>10}")
    for n in sizes:
        r = await asyncio.wait_for(run_size(n, args, seeded, app_url, bare_url), timeout=args.time_limit)
        app50, app99 = percentile(r["app"], 50) * 1000, percentile(r["app"], 99) * 1000
        bare50, bare99 = percentile(r["bare"], 50) * 1000, percentile(r["bare"], 99) * 1000
        print(f"{n:>8} {app50:>9.1f} {app99:>9.1f} {bare50:>9.1f} {bare99:>9.1f} {app99 / bare99:>10.2f}", flush=True)
    if args.seconds > 0:
        rate = await asyncio.wait_for(throughput(args, seeded, app_url), timeout=args.time_limit)
        print(f"votes per second, {len(seeded['voters'])} seated members answering back to back, "
              f"{args.throughput_clients} observers: {rate:.0f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", default="100,500,1000,2000")
    parser.add_argument("--votes", type=int, default=40)
    parser.add_argument("--mode", default="gevent", choices=["gevent", "threading"])
    parser.add_argument("--voters", type=int, default=10)
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--throughput-clients", type=int, default=100)
    parser.add_argument("--time-limit", type=float, default=600.0, help="seconds for each client size")
    args = parser.parse_args()
    largest = max(int(s) for s in args.clients.split(","))
    with tempfile.TemporaryDirectory(prefix="convene-bench-") as tmp:
        url = f"sqlite:///{tmp}/bench.sqlite3"
        seeded = seed(url, max(largest, args.throughput_clients), args.voters)
        app_port, bare_port = free_port(), free_port()
        python = sys.executable
        app = start([python, "wsgi.py"], app_port,
                    {"DATABASE_URL": url, "PORT": str(app_port), "SECRET_KEY": SECRET, "SOCKETIO_ASYNC_MODE": args.mode,
                     "CONVENE_ACCESS_LOG": "0", "RATELIMIT_ENABLED": "0"}, Path(tmp) / "app.log")
        bare = start([python, "bench/bare_server.py", str(bare_port), args.mode], bare_port, {}, Path(tmp) / "bare.log")
        try:
            asyncio.run(main_async(args, seeded, f"http://127.0.0.1:{app_port}", f"http://127.0.0.1:{bare_port}"))
        finally:
            stop(app)
            stop(bare)


if __name__ == "__main__":
    main()
