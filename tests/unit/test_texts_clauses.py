from hypothesis import given, strategies as st

from deliberation.errors import DomainError
from deliberation.texts import Clause, align_clauses, as_markdown, number_clauses, split_into_clauses
import pytest


def test_paragraphs_and_list_items_become_clauses():
    md = "Preamble words.\n\n1. Campaign for open selections.\n2. Ballot all members\n   on policy.\n\n- a bullet"
    assert split_into_clauses(md) == [
        "Preamble words.",
        "Campaign for open selections.",
        "Ballot all members on policy.",
        "a bullet",
    ]


def test_fenced_code_with_blank_lines_stays_one_clause():
    md = "```\nline one\n\nline two\n```\n\nAfter."
    assert split_into_clauses(md) == ["```\nline one\n\nline two\n```", "After."]


def test_empty_text_is_refused_with_a_clear_code():
    with pytest.raises(DomainError) as err:
        number_clauses(split_into_clauses("  \n\n  "))
    assert err.value.code == "text_empty"


def test_editing_a_clause_keeps_its_key_and_insertions_get_fresh_keys():
    old = number_clauses(["Alpha clause.", "Beta clause.", "Gamma clause."])
    new = align_clauses(old, ["Alpha clause.", "New clause.", "Beta clause, amended.", "Gamma clause."], 4)
    assert [c.key for c in new] == ["c1", "c4", "c2", "c3"] or [c.key for c in new] == ["c1", "c2", "c4", "c3"]
    assert new[0] == Clause("c1", "Alpha clause.")
    assert new[-1] == Clause("c3", "Gamma clause.")


def test_deleted_clause_keys_are_not_reused():
    old = number_clauses(["One.", "Two.", "Three."])
    new = align_clauses(old, ["One.", "Three.", "Four."], 4)
    assert [c.key for c in new] == ["c1", "c3", "c4"]


words = st.text(alphabet="abcdefghij ", min_size=1, max_size=30).filter(lambda s: s.strip())


@given(st.lists(words, min_size=1, max_size=12), st.lists(words, min_size=1, max_size=12))
def test_alignment_keeps_bodies_in_order_and_keys_unique(old_bodies, new_bodies):
    old = number_clauses(old_bodies)
    new = align_clauses(old, new_bodies, len(old) + 1)
    assert [c.body for c in new] == new_bodies
    assert len({c.key for c in new}) == len(new)


@given(st.lists(words.map(str.strip), min_size=1, max_size=10))
def test_markdown_of_plain_clauses_splits_back_to_the_same_clauses(bodies):
    clauses = number_clauses(bodies)
    assert split_into_clauses(as_markdown(clauses)) == bodies
