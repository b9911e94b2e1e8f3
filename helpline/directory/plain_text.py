"""Turn the HTML that council feeds put in descriptions into plain text for texts and speech."""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser

_BLOCK_TAGS = {"p", "div", "br", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "ul", "ol", "table"}
_SKIP_TAGS = {"script", "style"}


class _TextCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIP_TAGS:
            self._skipping += 1
        elif tag == "li":
            self.parts.append("\n- ")
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP_TAGS and self._skipping:
            self._skipping -= 1
        elif tag in _BLOCK_TAGS or tag == "li":
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self._skipping:
            self.parts.append(data)


def html_to_text(value: str | None) -> str:
    """Plain text with paragraphs kept as single newlines and bullets as '- '."""
    if not value:
        return ""
    if "<" not in value and "&" not in value:
        return _tidy(value)
    collector = _TextCollector()
    collector.feed(value)
    collector.close()
    return _tidy(html.unescape("".join(collector.parts)))


# Every space that isn't one (no-break, narrow, figure, thin, en/em...) becomes a plain space;
# zero-width ones, the word joiner and a stray byte-order mark go.
_ODD_SPACES: dict[int, str | None] = {
    c: " " for c in (0xA0, 0x1680, *range(0x2000, 0x200B), 0x202F, 0x205F, 0x3000)
}
_ODD_SPACES.update({c: None for c in (0x200B, 0x200C, 0x200D, 0x2060, 0xFEFF, 0xAD)})


def _tidy(text: str) -> str:
    # Non-breaking and zero-width spaces are common in pasted HTML; they must not survive into
    # an SMS, where one such character turns the whole message into costlier UCS-2.
    text = text.translate(_ODD_SPACES).replace("\r", "")
    lines = [re.sub(r"[ \t\f\v]+", " ", line).strip() for line in text.split("\n")]
    kept = [line for line in lines if line and line != "-"]
    return "\n".join(kept)
