"""Assemblies seated by lot: pools, quotas, committed seeds, background draws, replacements, privacy."""
from __future__ import annotations

import hashlib
import json
import time

import pytest
from sqlalchemy import func, select

from deliberation import sortition
from deliberation.errors import DomainError
from deliberation.sortition_verify import verify as verify_inputs
from forum.extensions import db
from forum.models import Assembly, AssemblySeat
from forum.models.draws import Draw, DrawQuota, PoolEntry
from forum.records import draws as draw_records
from forum.services import draws, pools, seats
from tests import factories

REGIONS = ["North West", "London", "Wales"]


@pytest.fixture
def setup(app):
    conv = factories.convention(open_now=("nominations",))
    area = conv.areas[0]
    assembly = Assembly(convention_id=conv.id, area_id=area.id, name="Politics and People Assembly")
    db.session.add(assembly)
    db.session.commit()
    admin = factories.user("Ada Okafor", roles=("admin",), email="admin@example.org")
    seats.save_seat_plan(admin, assembly.id, {**draw_records.DEFAULT_PLAN, "individual": 2})
    return conv, assembly, admin


def volunteers(assembly, n: int, regions=REGIONS):
    people = []
    for i in range(n):
        member = factories.user(f"Volunteer {i}", email=f"v{i}@example.org")
        pools.volunteer(member, assembly.id, {"region": regions[i % len(regions)],
                                              "gender": "woman" if i % 2 else "man"})
        people.append(member)
    return people


def wait_for(client, draw_id: int, timeout: float = 10) -> dict:
    deadline = time.time() + timeout
    while time.time() < deadline:
        body = client.get(f"/draws/{draw_id}/status.json").json
        if body["status"] in ("done", "failed"):
            return body
        time.sleep(0.05)
    raise AssertionError("the draw did not finish")


def admin_client(client):
    client.login("admin@example.org")
    return client


def test_a_member_volunteers_sees_and_withdraws_their_own_entry(setup, client):
    conv, assembly, admin = setup
    factories.user("Alex Moreno", email="alex@example.org")
    client.login("alex@example.org")
    page = client.get("/pools").get_data(as_text=True)
    assert "Volunteer to be drawn" in page and "prefer not to say" in page
    response = client.post("/pools/volunteer", {"assembly": assembly.id, "char-0": "Wales", "char-1": "woman"})
    assert response.status_code == 303
    page = client.get("/pools").get_data(as_text=True)
    assert "You are in the pool of <strong>individual members</strong>" in page
    assert '<option value="Wales" selected>' in page
    client.post("/pools/withdraw")
    assert db.session.scalar(select(func.count(PoolEntry.id))) == 0


def test_a_representative_nominates_a_member_of_their_group_once_and_region_comes_from_the_group(setup, client):
    conv, assembly, admin = setup
    sheffield = factories.group("Sheffield", "Yorkshire and the Humber")
    factories.user("Sam Ellis", roles=("representative",), email="rep@example.org", group=sheffield)
    factories.user("Aisha Begum", email="aisha@example.org", group=sheffield)
    factories.user("Tom Leeds", email="tom@example.org", group=factories.group("Leeds", "Yorkshire and the Humber"))
    client.login("rep@example.org")
    client.post("/pools/nominate", {"assembly": assembly.id, "email": "aisha@example.org"})
    entry = db.session.scalar(select(PoolEntry))
    assert entry.category == "local_group" and json.loads(entry.features_json)["region"] == "Yorkshire and the Humber"
    again = client.post("/pools/nominate", {"assembly": assembly.id, "email": "aisha@example.org"}, follow_redirects=True)
    assert "already in a pool" in again.get_data(as_text=True)
    other = client.post("/pools/nominate", {"assembly": assembly.id, "email": "tom@example.org"}, follow_redirects=True)
    assert "only members of your own local group" in other.get_data(as_text=True)
    assert db.session.scalar(select(func.count(PoolEntry.id))) == 1


def test_nominating_outside_the_nominations_period_is_refused_and_stores_nothing(app, client):
    conv = factories.convention(open_now=("submissions",))
    assembly = Assembly(convention_id=conv.id, area_id=conv.areas[0].id, name="Assembly")
    db.session.add(assembly)
    db.session.commit()
    group = factories.group()
    factories.user("Sam Ellis", roles=("representative",), email="rep@example.org", group=group)
    client.login("rep@example.org")
    page = client.post("/pools/nominate", {"assembly": assembly.id, "email": "rep@example.org"},
                       follow_redirects=True).get_data(as_text=True)
    assert "nominations period" in page
    assert db.session.scalar(select(func.count(PoolEntry.id))) == 0


def test_a_value_not_on_the_list_is_refused(setup, client):
    conv, assembly, admin = setup
    factories.user("Alex Moreno", email="alex@example.org")
    client.login("alex@example.org")
    page = client.post("/pools/volunteer", {"assembly": assembly.id, "char-0": "Atlantis"},
                       follow_redirects=True).get_data(as_text=True)
    assert "&#39;Atlantis&#39; is not on the list of values for region" in page
    assert db.session.scalar(select(func.count(PoolEntry.id))) == 0


@pytest.mark.parametrize("bounds, message", [
    ({"min-0-1": "2", "max-0-1": "1"}, "asks for at least 2 but at most 1 seats"),
    ({"min-0-1": "3", "max-0-1": "3"}, "asks for at least 3 seats, but there are only 2"),
])
def test_bad_quotas_are_refused_and_the_old_ones_kept(setup, client, bounds, message):
    conv, assembly, admin = setup
    pools.save_quotas(admin, assembly.id, "individual", [("region", "London", 0, 1)])
    admin_client(client)
    page = client.post(f"/admin/assemblies/{assembly.id}/draw/individual/quotas", bounds,
                       follow_redirects=True).get_data(as_text=True)
    assert message in page
    assert [(q.value, q.max) for q in db.session.scalars(select(DrawQuota))] == [("London", 1)]


def test_infeasible_quotas_are_explained_with_the_smallest_fix_and_cannot_be_committed(setup, client):
    conv, assembly, admin = setup
    volunteers(assembly, 6)
    # Two seats, none from the North West or London and at most one from Wales: they only fail together.
    pools.save_quotas(admin, assembly.id, "individual", [("region", "North West", 0, 0), ("region", "London", 0, 0),
                                                         ("region", "Wales", 0, 1)])
    admin_client(client)
    page = client.get(f"/admin/assemblies/{assembly.id}/draw/individual").get_data(as_text=True)
    assert "Not with this pool." in page
    assert "The maximums for region" in page and "Raise the maximum for region" in page
    refused = client.post(f"/admin/assemblies/{assembly.id}/draw/individual/commit", {"seed": "s"},
                          follow_redirects=True).get_data(as_text=True)
    assert "The smallest change that would make them workable" in refused
    assert db.session.scalar(select(func.count(Draw.id))) == 0


def test_an_empty_pool_and_a_pool_smaller_than_the_seats_are_refused(setup, client):
    conv, assembly, admin = setup
    admin_client(client)
    url = f"/admin/assemblies/{assembly.id}/draw/individual/commit"
    assert "The pool is empty" in client.post(url, {"seed": "s"}, follow_redirects=True).get_data(as_text=True)
    volunteers(assembly, 1)
    assert "The pool has 1 people for 2 seats" in client.post(url, {"seed": "s"},
                                                               follow_redirects=True).get_data(as_text=True)
    assert db.session.scalar(select(func.count(Draw.id))) == 0


def commit_and_run(client, assembly, seed="demo-seed") -> Draw:
    client.post(f"/admin/assemblies/{assembly.id}/draw/individual/commit", {"seed": seed})
    row = db.session.scalar(select(Draw).order_by(Draw.id.desc()))
    response = client.post(f"/admin/draws/{row.id}/start", {"seed": ""})
    assert response.status_code == 303
    assert wait_for(client, row.id)["status"] == "done"
    db.session.expire_all()
    return db.session.get(Draw, row.id)


def test_the_commitment_is_public_before_the_draw_and_the_seed_only_after(setup, client, another_client):
    conv, assembly, admin = setup
    volunteers(assembly, 6)
    admin_client(client)
    client.post(f"/admin/assemblies/{assembly.id}/draw/individual/commit", {"seed": "kept-secret-seed"})
    row = db.session.scalar(select(Draw))
    public = another_client.get(f"/draws/{row.id}").get_data(as_text=True)
    assert row.commitment in public and "kept-secret-seed" not in public
    assert "kept-secret-seed" not in another_client.get(f"/draws/{row.id}/inputs.json").get_data(as_text=True)
    assert "kept-secret-seed" in client.get(f"/draws/{row.id}").get_data(as_text=True)  # the administrator
    wrong = client.post(f"/admin/draws/{row.id}/start", {"seed": "another seed"}, follow_redirects=True)
    assert "does not match the commitment" in wrong.get_data(as_text=True)
    client.post(f"/admin/draws/{row.id}/start", {"seed": "kept-secret-seed"})
    assert wait_for(client, row.id)["status"] == "done"
    assert "kept-secret-seed" in another_client.get(f"/draws/{row.id}").get_data(as_text=True)


def test_a_draw_runs_in_the_background_seats_the_panel_and_reruns_from_its_published_inputs(setup, client,
                                                                                              another_client):
    conv, assembly, admin = setup
    volunteers(assembly, 9)
    pools.save_quotas(admin, assembly.id, "individual", [("region", "Wales", 1, 1)])
    admin_client(client)
    row = commit_and_run(client, assembly)
    seats = db.session.scalars(select(AssemblySeat).where(AssemblySeat.how == "drawn")).all()
    assert len(seats) == 2 and {s.category for s in seats} == {"individual"}
    inputs = json.loads(another_client.get(f"/draws/{row.id}/inputs.json").get_data(as_text=True))
    outcome = verify_inputs(inputs)
    assert outcome.matches and outcome.panel == inputs["panel"]
    welsh = {m["id"] for m in inputs["pool"] if m["features"]["region"] == "Wales"}
    assert len(welsh & set(outcome.panel)) == 1
    assert draws.verify(row.id).matches
    assert inputs["algorithm"] == sortition.ALGORITHM
    with pytest.raises(DomainError) as refused:
        verify_inputs({**inputs, "algorithm": "leximin-columns/1"})
    assert refused.value.code == "algorithm_changed" and "leximin-columns/1" in refused.value.message
    page = another_client.get(f"/assemblies/{assembly.id}").get_data(as_text=True)
    assert all(s.user.name in page for s in seats) and "drawn by lot" in page


def test_the_solver_runs_with_no_transaction_open_and_the_panel_is_seated_after_it(setup, monkeypatch):
    """A draw's solver can take seconds: no transaction (and no database lock) is held while it works."""
    conv, assembly, admin = setup
    volunteers(assembly, 6)
    row = draws.commit_seed(admin, assembly.id, "individual", "solver-seed")
    solver = sortition.draw
    seen = []

    def watched(*args, **kwargs):
        seen.append((db.session().in_transaction(), db.session.get(Draw, row.id).status))
        db.session.rollback()  # the status read above must not leave a transaction open either
        return solver(*args, **kwargs)

    monkeypatch.setattr(sortition, "draw", watched)
    done = draws.run_draw(row.id)
    assert seen == [(False, "running")]
    assert done.status == "done"
    assert db.session.scalar(select(func.count(AssemblySeat.id)).where(AssemblySeat.how == "drawn")) == 2


def test_the_cli_verifies_a_draw(setup, client, app):
    conv, assembly, admin = setup
    volunteers(assembly, 5)
    admin_client(client)
    row = commit_and_run(client, assembly)
    result = app.test_cli_runner().invoke(args=["draws", "verify", str(row.id)])
    assert result.exit_code == 0, result.output
    assert "The re-run gives the published panel." in result.output


def test_standalone_verifier_rejects_a_tampered_panel(setup, client, tmp_path):
    from deliberation.sortition_verify import main
    conv, assembly, admin = setup
    volunteers(assembly, 5)
    admin_client(client)
    row = commit_and_run(client, assembly)
    inputs = json.loads(client.get(f"/draws/{row.id}/inputs.json").get_data(as_text=True))
    good = tmp_path / "good.json"
    good.write_text(json.dumps(inputs))
    assert main([str(good)]) == 0
    outsider = next(m["id"] for m in inputs["pool"] if m["id"] not in inputs["panel"])
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(dict(inputs, panel=[inputs["panel"][0], outsider])))
    assert main([str(bad)]) == 1


def guessed_ids(public: dict, numbers: range) -> dict[str, int]:
    """What anyone can compute from the published file: hashes of every plausible member number with
    every public value of the draw (its commitment, its seed once published, its number)."""
    salts = [public["commitment"], public.get("seed", ""), str(public["draw"]), ""]
    guesses = {}
    for n in numbers:
        for salt in salts:
            for text in (f"{salt}:{n}", f"{n}:{salt}", f"{salt}{n}"):
                digest = hashlib.sha256(text.encode()).hexdigest()
                guesses[digest[:len(public["pool"][0]["id"])]] = n
    return guesses


def test_nobody_can_rebuild_who_is_who_in_the_published_inputs(setup, client, another_client):
    """The ids in the public file are keyed with the server's secret: hashing member numbers with
    anything the file or the page publishes (commitment, seed, draw number) matches nobody."""
    conv, assembly, admin = setup
    people = volunteers(assembly, 6)
    admin_client(client)
    row = commit_and_run(client, assembly)
    public = json.loads(another_client.get(f"/draws/{row.id}/inputs.json").get_data(as_text=True))
    assert public["seed"] == row.seed  # published once the draw has run: the attack may use it
    guesses = guessed_ids(public, range(1, 1001))
    matched = [m["id"] for m in public["pool"] if m["id"] in guesses]
    assert len(public["pool"]) == len(people) and matched == []
    assert verify_inputs(public).matches  # and the file still re-runs to the published panel


def test_privacy_names_never_meet_characteristics_in_public(setup, client, another_client):
    conv, assembly, admin = setup
    people = volunteers(assembly, 6)
    admin_client(client)
    row = commit_and_run(client, assembly)
    inputs = another_client.get(f"/draws/{row.id}/inputs.json").get_data(as_text=True)
    assert not any(p.name in inputs or p.email in inputs for p in people)
    public = another_client.get(f"/draws/{row.id}").get_data(as_text=True)
    assert "fewer than 5" in public  # 2 in each region
    for person in people:
        opaque = draw_records.opaque_id(row.commitment, person.id)
        assert opaque in inputs
        assert opaque not in public
    # The member sees their own opaque id and chance; an administrator sees the characteristics.
    member = another_client
    member.login(people[3].email)
    mine = member.get(f"/draws/{row.id}").get_data(as_text=True)
    assert draw_records.opaque_id(row.commitment, people[3].id) in mine and "Your chance of selection was" in mine
    assert draw_records.opaque_id(row.commitment, people[2].id) not in mine
    assert another_client.get(f"/admin/assemblies/{assembly.id}/draw/individual").status_code == 403
    assert "Volunteer 3" in client.get(f"/admin/assemblies/{assembly.id}/draw/individual").get_data(as_text=True)


def test_a_withdrawn_seat_is_refilled_by_a_replacement_draw_within_the_quotas(setup, client, another_client):
    conv, assembly, admin = setup
    volunteers(assembly, 6)
    pools.save_quotas(admin, assembly.id, "individual", [("gender", "woman", 1, 1), ("gender", "man", 1, 1)])
    admin_client(client)
    first = commit_and_run(client, assembly)
    seat = db.session.scalars(select(AssemblySeat).where(AssemblySeat.how == "drawn")).first()
    gender = "woman" if "Volunteer" in seat.user.name and int(seat.user.name.split()[1]) % 2 else "man"
    client.post(f"/admin/seats/{seat.id}/withdraw")
    client.post(f"/admin/seats/{seat.id}/replacement", {"seed": "replacement-seed"})
    replacement = db.session.scalar(select(Draw).where(Draw.kind == "replacement"))
    assert replacement.parent_id == first.id and replacement.commitment != first.commitment
    client.post(f"/admin/draws/{replacement.id}/start", {"seed": ""})
    assert wait_for(client, replacement.id)["status"] == "done"
    db.session.expire_all()
    current = db.session.scalars(select(AssemblySeat).where(AssemblySeat.withdrawn_at.is_(None),
                                                            AssemblySeat.how == "drawn")).all()
    assert len(current) == 2 and seat.user_id not in {s.user_id for s in current}
    newcomer = max(current, key=lambda s: s.id)
    assert ("woman" if int(newcomer.user.name.split()[1]) % 2 else "man") == gender
    inputs = json.loads(another_client.get(f"/draws/{replacement.id}/inputs.json").get_data(as_text=True))
    assert verify_inputs(inputs).matches
    history = another_client.get(f"/assemblies/{assembly.id}").get_data(as_text=True)
    assert "Replacement draw" in history and "stood down" in history


def test_a_replacement_is_refused_when_the_pool_is_exhausted(setup, client):
    conv, assembly, admin = setup
    volunteers(assembly, 3)  # one woman (Volunteer 1), two men
    pools.save_quotas(admin, assembly.id, "individual", [("gender", "woman", 1, 1)])
    admin_client(client)
    commit_and_run(client, assembly)
    woman = db.session.scalar(select(AssemblySeat).join(AssemblySeat.user).where(
        AssemblySeat.how == "drawn").where(AssemblySeat.user.has(name="Volunteer 1")))
    client.post(f"/admin/seats/{woman.id}/withdraw")
    page = client.post(f"/admin/seats/{woman.id}/replacement", {"seed": ""}, follow_redirects=True)
    assert "Nobody left in the pool can take this seat" in page.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Draw.id)).where(Draw.kind == "replacement")) == 0


def test_only_administrators_commit_and_run_draws(setup, client):
    conv, assembly, admin = setup
    volunteers(assembly, 3)
    client.login("v0@example.org")
    assert client.post(f"/admin/assemblies/{assembly.id}/draw/individual/commit", {"seed": ""}).status_code == 403
    assert db.session.scalar(select(func.count(Draw.id))) == 0


def test_the_demo_seats_both_assemblies_by_published_reproducible_draws(app, client):
    from collections import Counter
    from pathlib import Path

    from forum.demo import load_demo
    load_demo(Path(__file__).resolve().parents[2] / "forum" / "demo" / "seeds")
    rows = db.session.scalars(select(Draw).order_by(Draw.id)).all()
    assert len(rows) == 4 and {r.status for r in rows} == {"done"}
    for row in rows:
        inputs = json.loads(client.get(f"/draws/{row.id}/inputs.json").get_data(as_text=True))
        assert verify_inputs(inputs).matches
        if row.category == "local_group":
            assert len(inputs["pool"]) == 24
            regions = Counter(m["features"]["region"] for m in inputs["pool"] if m["id"] in inputs["panel"])
            assert len(regions) == 8  # one seat at most per region: the geographical spread
        else:
            assert len(inputs["pool"]) == 30
    for assembly in db.session.scalars(select(Assembly)):
        drawn = Counter(s.category for s in assembly.seats if s.how == "drawn")
        assert drawn == {"local_group": 8, "individual": 4}
    page = client.get(f"/draws/{rows[0].id}").get_data(as_text=True)
    assert "Chances of selection across the pool" in page and rows[0].seed in page
