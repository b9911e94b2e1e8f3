"""How long a caller listens: each prompt's spoken length, and each path's time to a number.

A words-per-minute model (150 by default, `timing:` in main.yaml): every word, digit or letter
said counts one, and each pause between the digit groups of a phone number adds a little.
`helpline flows check` prints these times and fails a flow whose prompts are over budget.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from helpline.flows.engine import LANGUAGE_MENU, CallState, begin, menu_at
from helpline.flows.model import Flow

# The pause between the digit groups of a phone number ("0 1 6 3 2, 9 6 0, 5 5 1").
DIGIT_GROUP_PAUSE_SECONDS = 0.4
_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*")
_GROUP_PAUSE = re.compile(r"\d\s*[,.;،۔]\s*(?=\d)")
# A service as the flow check imagines it: a four-word name and a Wyvern Vale number.
SAMPLE_NAME = "Wyvern Vale Short Breaks"
SAMPLE_DIGITS = "0 1 6 3 2, 9 6 0, 5 5 1"
_MARK = "\x00"


def seconds(text: str, words_per_minute: int = 150) -> float:
    """How long the text takes to say at this many words a minute."""
    words = len(_WORD.findall(text))
    return words * 60.0 / words_per_minute + len(_GROUP_PAUSE.findall(text)) * (
        DIGIT_GROUP_PAUSE_SECONDS
    )


def until_digits(text: str) -> str:
    """The part of a text said before its first phone number (three digits or more in a row)."""
    found = re.search(r"\d(?:[ ,]+\d){2,}", text)
    return text[: found.start()] if found else text


@dataclass(frozen=True)
class PathTime:
    """A way through the menu to a services node and when its first phone number is heard."""

    language: str
    keys: tuple[str, ...]  # the keys pressed, language first
    nodes: tuple[str, ...]
    seconds: float
    budget: float


def service_prefix(flow: Flow, language: str) -> str:
    """What is said of a service before its number: "1 texts them", then its name."""
    phone = flow.phrase(language, "phone", digits=_MARK)
    line = flow.phrase(language, "service", name=SAMPLE_NAME, phone=phone, who="", hours="")
    first = flow.phrase(language, "texts_first")
    return first + " " + line.split(_MARK)[0]


def _heard(flow: Flow, texts: list[str]) -> float:
    wpm = flow.timing.words_per_minute
    return sum(seconds(text, wpm) for text in texts)


def opening_seconds(flow: Flow) -> tuple[float, float, float]:
    """(the greeting, when "0 for a person" has been said, the whole first menu) in seconds."""
    menu = begin(flow).menu
    assert menu is not None
    texts = [line.text for line in menu.lines]
    person = next(i for i, line in enumerate(menu.lines) if line.key == "phrase:menu_tail")
    return _heard(flow, texts[:1]), _heard(flow, texts[: person + 1]), _heard(flow, texts)


def path_times(flow: Flow) -> list[PathTime]:
    """Every way from the call's start to a services node, in every language, timed."""
    _greeting, _person, opening = opening_seconds(flow)
    found: list[PathTime] = []
    for position, code in enumerate(flow.languages, start=1):
        start_keys = (str(position),) if len(flow.languages) > 1 else ()
        budget = flow.timing.first_number.get(code, flow.timing.first_number_other)
        prefix = _heard(flow, [service_prefix(flow, code)])
        waiting: list[tuple[str, tuple[str, ...], tuple[str, ...], float]] = [
            (flow.start, start_keys, (flow.start,), opening)
        ]
        while waiting:
            node, keys, nodes, spent = waiting.pop(0)
            if flow.nodes[node].services:
                found.append(PathTime(code, keys, nodes, round(spent + prefix, 1), budget))
                continue
            menu = menu_at(flow, CallState(node=node, language=code))
            heard = spent + _heard(flow, [line.text for line in menu.lines])
            for option in flow.nodes[node].options:
                if option.goto and option.goto not in nodes:
                    waiting.append((option.goto, keys + (option.key,), nodes + (option.goto,),
                                    heard))
    return found


def prompt_times(flow: Flow) -> dict[tuple[str, str], float]:
    """Each menu's spoken length as heard (prompt and its "0 for a person"), by (language, node)."""
    times: dict[tuple[str, str], float] = {}
    for code in flow.languages:
        for node in flow.nodes:
            for simple in (False, True):
                menu = menu_at(flow, CallState(node=node, language=code), simple=simple)
                label = f"{node} (simplest)" if simple else node
                times[(code, label)] = _heard(flow, [line.text for line in menu.lines])
        for name, text in flow.prompts[code].phrases.items():
            if "{" not in text:
                times[(code, f"phrase {name}")] = _heard(flow, [text])
    return times


def timing_problems(flow: Flow) -> list[str]:
    """Every prompt or path over its budget (empty when the flow is quick enough)."""
    budget = flow.timing
    problems: list[str] = []
    greeting, person, _opening = opening_seconds(flow)
    if greeting > budget.greeting:
        problems.append(f"the greeting takes {greeting:.1f} s; at most {budget.greeting:g} s")
    if person > budget.person_by:
        problems.append(f"'0 for a person' is said only after {person:.1f} s; by "
                        f"{budget.person_by:g} s at the latest")
    for (code, label), spent in prompt_times(flow).items():
        limit = budget.main_menu if label == flow.start else budget.prompt
        if spent > limit:
            problems.append(f"prompts/{code}.yaml: {label} takes {spent:.1f} s to say; at most "
                            f"{limit:g} s")
    paths = path_times(flow)
    for code in flow.languages:
        mine = [p for p in paths if p.language == code]
        fastest = min(mine, key=lambda p: p.seconds, default=None)
        if fastest is not None and fastest.seconds > fastest.budget:
            problems.append(f"prompts/{code}.yaml: the shortest way to a phone number (keys "
                            f"{' '.join(fastest.keys)}) takes {fastest.seconds:.1f} s; at most "
                            f"{fastest.budget:g} s")
    return problems


def timing_report(flow: Flow) -> list[str]:
    """The lines `helpline flows check` prints: the opening, the menus, each path's time."""
    wpm = flow.timing.words_per_minute
    greeting, person, opening = opening_seconds(flow)
    lines = [f"Spoken at {wpm} words a minute:",
             f"  greeting {greeting:.1f} s; '0 for a person' by {person:.1f} s; "
             f"first menu {opening:.1f} s"]
    times = prompt_times(flow)
    for code in flow.languages:
        lines.append(f"  {code} main menu {times[(code, flow.start)]:.1f} s; longest prompt "
                     f"{max(v for (c, _), v in times.items() if c == code):.1f} s")
    lines.append("Time to the first phone number (keys pressed: seconds / budget):")
    paths = path_times(flow)
    for code in flow.languages:
        mine = sorted((p for p in paths if p.language == code), key=lambda p: p.seconds)
        shown = ", ".join(f"{' '.join(p.keys)} {p.nodes[-1]} {p.seconds:.1f}" for p in mine)
        fastest = mine[0].seconds if mine else 0.0
        budget = mine[0].budget if mine else 0.0
        lines.append(f"  {code}: shortest {fastest:.1f} s / {budget:g} s ({shown})")
    return lines


__all__ = ["LANGUAGE_MENU", "PathTime", "path_times", "prompt_times", "seconds",
           "timing_problems", "timing_report"]
