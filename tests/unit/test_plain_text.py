from __future__ import annotations

import pytest

from helpline.directory.plain_text import html_to_text


def test_paragraphs_and_bullets_become_plain_lines() -> None:
    html = (
        "<h2>Who are Short Breaks for?</h2><p>Short breaks are for:</p>"
        "<ul><li>parents</li><li>carers</li></ul>"
    )
    assert (
        html_to_text(html)
        == "Who are Short Breaks for?\nShort breaks are for:\n- parents\n- carers"
    )


def test_entities_are_decoded_and_non_breaking_spaces_removed() -> None:
    text = html_to_text("<p>Drug &amp; Alcohol&nbsp;support</p>")
    assert text == "Drug & Alcohol support"
    assert "\xa0" not in text


def test_empty_markup_gives_empty_text() -> None:
    assert html_to_text("<p><br></p>") == ""
    assert html_to_text(None) == ""


def test_scripts_and_styles_are_dropped() -> None:
    assert html_to_text("<style>p{color:red}</style><p>Hello</p><script>x()</script>") == "Hello"


@pytest.mark.parametrize("odd", ["\u202f", "\u2007", "\u2009", "\u00a0", "\u3000"])
def test_every_kind_of_no_break_or_thin_space_becomes_a_plain_space(odd: str) -> None:
    assert html_to_text(f"<p>Open{odd}daily</p>") == "Open daily"


@pytest.mark.parametrize("invisible", ["\ufeff", "\u2060", "\u200b", "\u200d", "\u00ad"])
def test_invisible_characters_are_removed(invisible: str) -> None:
    assert html_to_text(f"Short{invisible}breaks") == "Shortbreaks"
