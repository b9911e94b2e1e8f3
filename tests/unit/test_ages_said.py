"""Ages in a service's own words, for feeds whose eligibility fields are empty."""

from __future__ import annotations

import pytest

from helpline.directory.ages_said import age_range_said, ages_in_own_words


@pytest.mark.parametrize(("text", "ages"), [
    ("Mental health support to people aged 16 and over, 7 days a week", (16, None)),
    ("Youth Hub (Employment support for 18 - 24 year olds)", (18, 24)),
    ("A club for children aged 5 to 11", (5, 11)),
    ("Open to young people ages 11-18", (11, 18)),
    ("Seated exercise for over 50s", (50, None)),
    ("Stay and play for under 5s and their parents", (0, 4)),
    ("Support up to the age of 25", (0, 25)),
    ("Young people aged 18+ only", (18, None)),
    # Older young people with SEND are served too: the oldest widens to them.
    ("Young people aged 13-19 (up to 25 with SEND)", (13, 25)),
    # Two mentions widen each other; one open-ended leaves no oldest.
    ("Sessions for ages 5-11, and a group for 16 and over", (5, None)),
])
def test_ages_in_figures_beside_an_age_word_are_read(
    text: str, ages: tuple[int | None, int | None]
) -> None:
    assert age_range_said(text) == ages


@pytest.mark.parametrize("text", [
    "Open 4 pm to 10 pm; call 01724 279500",
    "Costs £5 - £10 a session",
    "Our report for 2023-24",
    "Free Early Education for 2-Year-Olds",  # one age, not a range: left to the feed
    "Children and young people 0-16/19 years of age",  # too tangled to read safely
])
def test_numbers_that_are_not_plainly_ages_are_left_alone(text: str) -> None:
    assert age_range_said(text) == (None, None)


def test_audience_words_give_the_youngest_before_figures() -> None:
    assert ages_in_own_words("Older people's lunch club, aged 50 to 90", 50) == (50, 90)
    assert ages_in_own_words("A drop-in, aged 16 and over", None) == (16, None)
