"""`helpline flows check`: the rules a phone menu must keep before a family ever hears it."""

from __future__ import annotations

import re
import string
from collections.abc import Iterable
from pathlib import Path

from helpline.flows.model import (
    GLOBAL_KEYS,
    GLOBAL_WORDS,
    MAX_OPTIONS,
    REQUIRED_PHRASES,
    Flow,
    FlowError,
    load_flow,
    parents_of,
)
from helpline.plain_english import sentence_problems

# The {placeholders} each phrase may use; any other would fail on a live call.
PLACEHOLDERS: dict[str, set[str]] = {
    "services_intro": {"count"},
    "service": {"name", "who", "phone", "hours"},
    "service_hours": {"hours"},
    "hours_span": {"days", "opens", "closes"},
    "day_range": {"first", "last"},
    "open_hours": {"hours"},
    "callback_promise": {"days"},
    "offer_callback_closed": {"days"},
    "callback_booked": {"days"},
    "message_saved": {"days"},
    "who_ages": {"low", "high"},
    "position": {"position"},
    "phone": {"digits"},
    "phone_extension": {"digits", "extension"},
    "text_body_intro": {"area"},
}
# Words the message menu listens for, besides the global ones.
MESSAGE_WORDS = ("message", "callback")


def check_flows_dir(flows_dir: Path, keywords: Iterable[str] | None = None) -> list[str]:
    """Every problem in ivr_flows/main.yaml and its prompts (empty when the flow is fine)."""
    try:
        flow = load_flow(flows_dir)
    except FlowError as exc:
        return [str(exc)]
    return check_flow(flow, set(keywords) if keywords is not None else None)


def check_flow(flow: Flow, keywords: set[str] | None = None) -> list[str]:
    """Problems with a loaded flow: targets, reachability, way back, menu size, wording."""
    problems = (_shape(flow, keywords) + _reachability(flow) + _way_back(flow) + _wording(flow)
                + _ambiguous_words(flow))
    if problems:  # timing needs every wording there
        return problems
    from helpline.flows.timing import timing_problems

    return timing_problems(flow)


def _ambiguous_words(flow: Flow) -> list[str]:
    """Words listed for two keys at one menu: saying them would always choose the first."""
    from helpline.flows.engine import CallState, normal_speech, spoken_words

    problems: list[str] = []
    for code in flow.languages:
        for name in flow.prompts[code].nodes:
            if name not in flow.nodes:
                continue
            owner: dict[str, str] = {}
            for key, words in spoken_words(flow, CallState(node=name, language=code)).items():
                for word in words:
                    # Compared as the matcher compares them: the same to it is a clash.
                    first = owner.setdefault(normal_speech(word), key)
                    if first != key:
                        problems.append(f"prompts/{code}.yaml: node {name}: {word!r} is said "
                                        f"for both {first} and {key}")
    return problems


def _shape(flow: Flow, keywords: set[str] | None) -> list[str]:
    problems: list[str] = []
    if flow.start not in flow.nodes:
        problems.append(f"start: unknown node {flow.start!r}")
    for name, node in flow.nodes.items():
        if name.startswith("@"):
            problems.append(f"node {name}: names starting with @ are the helpline's own")
        if not node.options:
            problems.append(f"node {name}: no options: the caller has nothing to press")
        if len(node.options) > MAX_OPTIONS:
            problems.append(f"node {name}: {len(node.options)} options; at most {MAX_OPTIONS}")
        seen: set[str] = set()
        for option in node.options:
            where = f"node {name} key {option.key}"
            if option.key in GLOBAL_KEYS:
                problems.append(f"{where}: {option.key} is {GLOBAL_KEYS[option.key]} at every menu")
            elif not (len(option.key) == 1 and option.key in "123456789"):
                problems.append(f"{where}: keys are single digits 1 to 9")
            if option.key in seen:
                problems.append(f"{where}: the key is used twice")
            seen.add(option.key)
            if (option.goto is None) == (option.do is None):
                problems.append(f"{where}: give exactly one of goto or do")
            elif option.goto is not None and option.goto not in flow.nodes:
                problems.append(f"{where}: unknown target {option.goto!r}")
            if option.do == "text" and not node.services:
                problems.append(f"{where}: 'text' only works where services are read out")
        if node.back is not None and node.back not in flow.nodes:
            problems.append(f"node {name}: back: unknown target {node.back!r}")
        if node.services and keywords is not None:
            word = node.services.strip()
            if word.isupper() and word.isalnum() and word not in keywords:
                problems.append(f"node {name}: services: unknown keyword {word!r}")
    return problems


def _reachability(flow: Flow) -> list[str]:
    if flow.start not in flow.nodes:
        return []
    reached = {flow.start}
    waiting = [flow.start]
    while waiting:
        for option in flow.nodes[waiting.pop()].options:
            if option.goto in flow.nodes and option.goto not in reached:
                reached.add(option.goto)
                waiting.append(option.goto)
    return [
        f"node {name}: unreachable from {flow.start}" for name in flow.nodes if name not in reached
    ]


def _way_back(flow: Flow) -> list[str]:
    problems: list[str] = []
    parents = parents_of(flow.nodes)
    for name in flow.nodes:
        if name == flow.start:
            continue
        if flow.back_of.get(name) is None:
            came = parents.get(name) or []
            if len(came) > 1:
                problems.append(
                    f"node {name}: no way back: reached from {', '.join(came)}; "
                    "say which one # goes to with back:"
                )
            else:
                problems.append(f"node {name}: no way back: nothing leads here to go back to")
            continue
        chain, here = [name], name
        while here != flow.start:
            here = flow.back_of.get(here) or ""
            if here not in flow.nodes or here in chain:
                problems.append(
                    f"node {name}: no way back: # goes round in a circle "
                    f"({' > '.join(chain)}) and never reaches {flow.start}"
                )
                break
            chain.append(here)
    return problems


def _wording(flow: Flow) -> list[str]:
    problems: list[str] = []
    for code in flow.languages:
        prompts = flow.prompts[code]
        where = f"prompts/{code}.yaml"
        for phrase in REQUIRED_PHRASES:
            if not prompts.phrases.get(phrase, "").strip():
                problems.append(f"{where}: phrase {phrase!r} is missing")
        for phrase, text in prompts.phrases.items():
            problems += _placeholder_problems(where, phrase, text)
        for name in GLOBAL_WORDS + MESSAGE_WORDS:
            if not prompts.words.get(name):
                problems.append(f"{where}: words for {name!r} are missing (speech input)")
        if not prompts.language.say_language:
            # Another language's voice would read these words: never an English voice on Urdu.
            problems.append(f"{where}: language.say_language: a Twilio <Say> language (and "
                            "say_voice) is needed for words not yet rendered as audio")
        if "0" not in prompts.phrases.get("menu_tail", "0"):
            problems.append(f"{where}: phrase 'menu_tail' must say the 0 key (a person)")
        if len(flow.languages) > 1 and not prompts.language.words:
            problems.append(f"{where}: language.words: what a caller says to choose it")
        for name, node in flow.nodes.items():
            wording = prompts.nodes.get(name)
            if wording is None or not wording.prompt.strip():
                problems.append(f"{where}: node {name}: prompt is missing")
                continue
            for option in node.options:
                if not wording.words.get(option.key):
                    problems.append(f"{where}: node {name} key {option.key}: no spoken words")
        for name in prompts.nodes:
            if name not in flow.nodes:
                problems.append(f"{where}: node {name}: not in the flow")
        simplest = {f"node {k} simple": v.simple for k, v in prompts.nodes.items() if v.simple}
        simplest["phrase 'leave_message_simple'"] = prompts.phrases.get("leave_message_simple", "")
        problems += _simplest_problems(where, simplest, english=code == "en")
        if code == "en":
            spoken = {f"phrase {k!r}": v for k, v in prompts.phrases.items()}
            spoken.update({f"node {k}": v.prompt for k, v in prompts.nodes.items()})
            problems += sentence_problems(where, spoken)
    return problems


def _simplest_problems(where: str, texts: dict[str, str], *, english: bool) -> list[str]:
    """The simplest choices (after two misses): two keys at most, each said after its option."""
    problems: list[str] = []
    for label, text in texts.items():
        keys = re.findall(r"(?<![\w])\d(?![\w])", text)
        if english:
            keys += re.findall(r"\b(?:star|hash)\b", text, flags=re.IGNORECASE)
        if len(keys) > 2:
            problems.append(f"{where}: {label} offers {len(keys)} keys; the simplest choices "
                            "offer two at most")
        if english and re.search(r"(?:^|[.!?]\s+)(?:press|to|for)\b", text, re.IGNORECASE):
            problems.append(f"{where}: {label}: say the choice before its key "
                            "(\"Short breaks, press 1.\")")
    return problems


def _placeholder_problems(where: str, phrase: str, text: str) -> list[str]:
    allowed = PLACEHOLDERS.get(phrase, set())
    try:
        used = {field for _, field, _, _ in string.Formatter().parse(text) if field is not None}
    except ValueError as exc:
        return [f"{where}: phrase {phrase!r}: {exc} (write braces as {{{{ and }}}})"]
    unknown = sorted(used - allowed)
    if unknown:
        return [f"{where}: phrase {phrase!r}: unknown placeholder(s) {', '.join(unknown)}"]
    return []
