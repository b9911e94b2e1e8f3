"""Segment counts match Twilio's own calculator (npm sms-segments-calculator, run with node)."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from helpline.sms.segments import count_segments, fits, is_gsm7, to_gsm7

NODE_DIR = Path(__file__).resolve().parents[1] / "node"

CASES: list[tuple[str, str, int]] = [
    ("", "GSM-7", 1),
    ("Hello", "GSM-7", 1),
    ("a" * 160, "GSM-7", 1),
    ("a" * 161, "GSM-7", 2),
    ("a" * 306, "GSM-7", 2),
    ("a" * 307, "GSM-7", 3),
    ("a" * 459, "GSM-7", 3),
    ("a" * 460, "GSM-7", 4),
    ("€" * 80, "GSM-7", 1),  # extension characters count twice: 160 septets
    ("€" * 81, "GSM-7", 2),
    ("a" * 159 + "€", "GSM-7", 2),  # the escape pair would not fit in the first part
    ("a" * 152 + "[" + "a" * 10, "GSM-7", 2),  # escape at the part boundary moves whole
    ("a" * 152 + "{" + "a" * 152, "GSM-7", 3),  # 306 septets, but the pair moves whole
    ("^{}\\[~]|" * 20, "GSM-7", 3),
    ("Café £5 @ 10:00 ¿Qué? Ñandu Øre Ærø ΔΦΓΛΩΠΨΣΘΞ", "GSM-7", 1),
    ("Ñandú", "UCS-2", 1),  # u-acute is not in GSM-7
    ("Ça va", "GSM-7", 1),
    ("ça va", "UCS-2", 1),  # lower-case c-cedilla is not in GSM-7
    ("It\u2019s here", "UCS-2", 1),  # a curly apostrophe makes the whole text UCS-2
    ("Call\u00a0us", "UCS-2", 1),  # and so does a non-breaking space
    ("a" * 70 + "\u2019", "UCS-2", 2),
    ("a" * 69 + "\u2019", "UCS-2", 1),
    ("ą" * 70, "UCS-2", 1),
    ("ą" * 71, "UCS-2", 2),
    ("ą" * 134, "UCS-2", 2),
    ("ą" * 135, "UCS-2", 3),
    ("ą" * 201, "UCS-2", 3),
    ("ą" * 202, "UCS-2", 4),
    ("😀" * 35, "UCS-2", 1),  # a surrogate pair is two code units
    ("😀" * 36, "UCS-2", 2),
    ("a" * 66 + "😀" + "a" * 66, "UCS-2", 3),  # 134 units, but the pair is never split
    ("a" * 65 + "😀" + "a" * 70, "UCS-2", 3),
    ("👍🏽" * 20, "UCS-2", 2),  # a skin-tone modifier stays with its emoji
    ("🇬🇧" * 18, "UCS-2", 2),
    ("a" * 66 + "🇬🇧" + "a" * 64, "UCS-2", 3),  # a flag (two pairs) moves whole
    ("a" * 60 + "👨\u200d👩\u200d👧" + "a" * 66, "UCS-2", 3),
    ("e\u0301" * 10, "UCS-2", 1),  # combining accent
    ("a" * 66 + "e\u0301" + "a" * 66, "UCS-2", 3),
    ("اردو میں مدد کے لیے URDU لکھیں", "UCS-2", 1),
    ("مدد " * 50, "UCS-2", 3),
    ("Line one\nLine two\r\nLine three", "GSM-7", 1),
    ("Pomoc dla rodzin. Napisz POMOC, aby zobaczyć listę słów.", "UCS-2", 1),
    ("x" * 156 + "€€", "GSM-7", 1),
    ("x" * 157 + "€€", "GSM-7", 2),
    ("Reply 1-3 for details. MORE for more. MENU to start again." * 8, "GSM-7", 4),
]


@pytest.mark.parametrize(("text", "encoding", "segments"), CASES)
def test_segment_count_matches_the_table(text: str, encoding: str, segments: int) -> None:
    counted = count_segments(text)
    assert (counted.encoding, counted.segments) == (encoding, segments)


def test_segment_counts_agree_with_twilios_calculator() -> None:
    node = shutil.which("node")
    if node is None or not (NODE_DIR / "node_modules" / "sms-segments-calculator").exists():
        pytest.skip("node and tests/node/node_modules (npm ci in tests/node) are needed")
    texts = [text for text, _, _ in CASES]
    result = subprocess.run(
        [node, str(NODE_DIR / "segments.js")],
        input=json.dumps(texts), capture_output=True, text=True, check=True, timeout=60,
        cwd=NODE_DIR,
    )
    theirs = json.loads(result.stdout)
    ours = [{"encoding": c.encoding, "segments": c.segments} for c in map(count_segments, texts)]
    mismatches = [(t[:40], o, th) for t, o, th in zip(texts, ours, theirs, strict=True) if o != th]
    assert mismatches == []


def test_a_message_of_three_full_parts_fits_and_one_more_character_does_not() -> None:
    assert fits("a" * 459)
    assert not fits("a" * 460)


def test_to_gsm7_replaces_look_alikes_and_drops_the_rest() -> None:
    cleaned = to_gsm7("It\u2019s \u201cfree\u201d \u2013 call\u00a0us\u2026 ą 😀")
    assert cleaned == 'It\'s "free" - call us... a '
    assert is_gsm7(cleaned)


def test_text_already_gsm7_comes_back_unchanged_and_no_look_alike_is_gsm7() -> None:
    # to_gsm7 returns GSM-7 text as it is: right only while no look-alike is itself GSM-7.
    from helpline.sms.segments import _GSM7_ALL, _LOOKALIKES

    assert not _GSM7_ALL.intersection(_LOOKALIKES)
    text = "Short breaks: call 01632 960 123 {ages 5-18} [free] ~ 100% ^_^ €5 \\ |"
    assert to_gsm7(text) == text
