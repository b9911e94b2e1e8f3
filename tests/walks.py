"""The walks the simulator tests take, read from the phone menu's own files (never hard-coded:
the menu changes, and the walks must follow whatever it offers)."""

from __future__ import annotations

from collections import deque
from pathlib import Path

from helpline.flows.model import Flow, load_flow

FLOWS_DIR = Path(__file__).resolve().parent.parent / "ivr_flows"


def flow() -> Flow:
    """The shipped phone menu."""
    return load_flow(FLOWS_DIR)


def keys_to_text_me_this(menu: Flow | None = None) -> list[str]:
    """Keys from the start of a call: English, the menus down to the nearest services, text me."""
    menu = menu or flow()
    keys = [] if len(menu.languages) == 1 else [str(menu.languages.index("en") + 1)]
    seen, todo = {menu.start}, deque([(menu.start, list[str]())])
    while todo:
        name, path = todo.popleft()
        node = menu.nodes[name]
        texting = [o.key for o in node.options if o.do == "text"]
        if node.services and texting:
            return keys + path + texting[:1]
        for option in node.options:
            if option.goto and option.goto not in seen:
                seen.add(option.goto)
                todo.append((option.goto, [*path, option.key]))
    raise AssertionError("no menu offers services by text")


def said(key: str, language: str = "en") -> str:
    """What the menu says for a wording key (e.g. phrase:offer_adviser), up to its first
    {placeholder}: the words every caller hears."""
    return flow().wording(key, language).split("{")[0]
