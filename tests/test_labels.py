"""The factored class/id word patterns answer exactly as the plain
alternation would, on the engine's own word lists and arbitrary labels."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings, strategies as st

from scraper.extract import body
from scraper.extract.labels import Words

LISTS = {
    "strong": body._STRONG_WORDS, "junk": body._JUNK_WORDS, "body junk": body._BODY_JUNK_WORDS,
}
# labels built from pieces of the listed words, so near misses are common
PIECES = sorted({w[:n] for words in LISTS.values() for w in words for n in (2, 4, 6) if w[:1].isalpha()})
LABEL = st.lists(st.one_of(st.sampled_from(PIECES), st.text("abcdeilmnorstuCOMENT-_ Đđ0", max_size=6)),
                 max_size=5).map("".join)


@pytest.mark.parametrize("name", sorted(LISTS))
@settings(max_examples=400, deadline=None)
@given(label=LABEL)
def test_factored_pattern_agrees_with_the_plain_alternation(name: str, label: str) -> None:
    words = LISTS[name]
    plain = re.compile("|".join(f"(?:{w})" for w in words), re.IGNORECASE)
    assert Words(words).search(label) == (plain.search(label) is not None)


def test_a_prefix_word_decides_alone() -> None:
    words = Words(["relate", "related", "comment(?!ary)"])
    assert words.search("box-related-links")
    assert words.search("COMMENTS")
    assert not words.search("commentary")
