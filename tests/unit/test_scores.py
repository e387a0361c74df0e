"""The up/down vote rule: values, what a change moves, and counts that always match the votes."""
import pytest
from hypothesis import given, strategies as st

from deliberation import scores
from deliberation.errors import DomainError


def test_a_vote_is_up_down_or_none():
    assert [scores.check(v) for v in (1, 0, -1)] == [1, 0, -1]
    with pytest.raises(DomainError) as err:
        scores.check(2)
    assert err.value.code == "vote_invalid"


def test_switching_from_up_to_down_moves_the_score_by_two():
    assert scores.change(1, -1) == scores.Counts(score=-2, ups=-1, downs=1)


def test_withdrawing_a_vote_takes_back_what_it_added():
    assert scores.change(-1, 0) == scores.Counts(score=1, ups=0, downs=-1)
    assert scores.change(0, 1) == scores.Counts(score=1, ups=1, downs=0)


def test_voting_the_same_way_again_is_refused_in_words():
    with pytest.raises(DomainError) as err:
        scores.change(1, 1)
    assert err.value.code == "vote_unchanged" and "already voted" in err.value.message
    with pytest.raises(DomainError) as err:
        scores.change(0, 0)
    assert "no vote to withdraw" in err.value.message


@given(st.lists(st.tuples(st.integers(0, 5), st.sampled_from(scores.VALUES)), max_size=60))
def test_any_sequence_of_votes_leaves_counts_equal_to_the_final_votes(casts):
    """Members vote, switch and withdraw in any order; the running counts equal the final votes' tally."""
    standing: dict[int, int] = {}
    counts = scores.Counts()
    for member, value in casts:
        old = standing.get(member, scores.NONE)
        if value == old:
            with pytest.raises(DomainError):
                scores.change(old, value)
            continue
        counts = counts + scores.change(old, value)
        standing[member] = value
    final = scores.tally(standing.values())
    assert counts == final
    assert final.score == final.ups - final.downs
    assert final.ups == sum(v == 1 for v in standing.values())
    assert final.downs == sum(v == -1 for v in standing.values())
