"""Stepping through a phone menu: (call state, what the caller pressed or said) -> the next turn.

Pure: no Flask, Twilio or database. The voice channel keeps the state per call and turns each
Turn into TwiML; the engine never waits, sends or looks anything up.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

from rapidfuzz import fuzz

from helpline.directory.text_match import fold
from helpline.flows.model import GLOBAL_KEYS, Flow

LANGUAGE_MENU = "@language"  # offered when more than one language is configured
MESSAGE_MENU = "@message"  # nobody can answer: 1 leave a message, 2 ask for a call back
# After this many misses in a row the caller is put through to an adviser (never hung up on).
MISSES_BEFORE_ADVISER = 3
# How alike spoken words must be to an option's words (rapidfuzz partial ratio, 0-100).
SPEECH_CUTOFF = 85


@dataclass(frozen=True)
class Line:
    """Something to say, and the language it is in."""

    text: str
    language: str
    key: str = ""  # which wording it is ("phrase:sorry", "node:main:prompt"), for a fallback
    values: tuple[tuple[str, object], ...] = ()  # the key's {placeholders}


def said(flow: Flow, key: str, language: str, /, **values: object) -> Line:
    """The line for a wording key in a language."""
    return Line(flow.wording(key, language, **values), language, key, tuple(values.items()))


@dataclass(frozen=True)
class CallState:
    """Where a call is: the node, its language, misses in a row there, and the path so far."""

    node: str
    language: str
    tries: int = 0
    path: tuple[str, ...] = ()


@dataclass(frozen=True)
class Heard:
    """What came back from a menu: keys pressed, words said, or nothing (silence)."""

    digits: str = ""
    speech: str = ""

    @property
    def silent(self) -> bool:
        """True when the caller pressed and said nothing."""
        return not self.digits.strip() and not self.speech.strip()


@dataclass(frozen=True)
class Menu:
    """A menu to offer: services to read first, the prompt, and the words to listen for."""

    node: str
    language: str
    lines: tuple[Line, ...]
    hints: tuple[str, ...] = ()
    read_services: str | None = None


@dataclass(frozen=True)
class Turn:
    """What the call does next: say these lines, then the action (a menu, text, adviser...)."""

    state: CallState
    action: str  # menu | text | adviser | message | callback | hangup
    say: tuple[Line, ...] = ()
    menu: Menu | None = None
    services: str | None = field(default=None)  # for "text": the search whose services to send


def begin(flow: Flow) -> Turn:
    """The start of a call: the greeting, then the language menu or the main menu."""
    first = flow.languages[0]
    greeting = (said(flow, "phrase:greeting", first),)
    if len(flow.languages) > 1:
        state = CallState(node=LANGUAGE_MENU, language=first)
        return Turn(state=state, action="menu", say=greeting, menu=menu_at(flow, state))
    return enter(flow, CallState(node=flow.start, language=first), flow.start, before=greeting)


def enter(flow: Flow, state: CallState, node: str, before: tuple[Line, ...] = ()) -> Turn:
    """Go to a node: its services are read out, then its menu."""
    moved = CallState(node=node, language=state.language, tries=0, path=state.path + (node,))
    return Turn(state=moved, action="menu", say=before, menu=menu_at(flow, moved, read=True))


def offer_message(flow: Flow, state: CallState, reason: str) -> Turn:
    """No adviser can answer (closed, or nobody free): offer a message or a call back."""
    moved = CallState(node=MESSAGE_MENU, language=state.language, path=state.path + (reason,))
    say = (said(flow, f"phrase:{reason}", state.language),)
    return Turn(state=moved, action="menu", say=say, menu=menu_at(flow, moved))


def step(flow: Flow, state: CallState, heard: Heard) -> Turn:
    """The next turn after the caller answered (or didn't) the menu at state.node."""
    if state.node not in flow.nodes and state.node not in (LANGUAGE_MENU, MESSAGE_MENU):
        return enter(flow, state, flow.start)
    key = None if heard.silent else understood(flow, state, heard)
    if key is None:
        return _missed(flow, state)
    if state.node == LANGUAGE_MENU:
        return _chose_language(flow, state, key)
    if state.node == MESSAGE_MENU:
        return _chose_message(flow, state, key)
    special = GLOBAL_KEYS.get(key)
    if special == "repeat":
        return _repeat(flow, state)
    if special == "back":
        return _back(flow, state)
    if special == "adviser":
        return _act(flow, state, "adviser")
    option = next(o for o in flow.nodes[state.node].options if o.key == key)
    if option.goto is not None:
        return enter(flow, state, option.goto)
    if option.do == "repeat":
        return _repeat(flow, state)
    return _act(flow, state, option.do or "adviser")


def menu_at(flow: Flow, state: CallState, *, simple: bool = False, read: bool = False) -> Menu:
    """The menu offered at the state's node, in full or in its simplest form."""
    lang = state.language
    if state.node == LANGUAGE_MENU:
        lines = tuple(said(flow, f"choose:{code}", code) for code in flow.languages)
        return Menu(node=LANGUAGE_MENU, language=lang, lines=lines, hints=_hints(flow, state))
    if state.node == MESSAGE_MENU:
        name = "leave_message_simple" if simple else "leave_message_menu"
        return Menu(node=MESSAGE_MENU, language=lang, lines=(said(flow, f"phrase:{name}", lang),),
                    hints=_hints(flow, state))
    wording = flow.prompts[lang].nodes[state.node]
    form = "simple" if simple and wording.simple else "prompt"
    services = flow.nodes[state.node].services if read else None
    return Menu(
        node=state.node,
        language=lang,
        lines=(said(flow, f"node:{state.node}:{form}", lang),),
        hints=_hints(flow, state),
        read_services=services,
    )


def _hints(flow: Flow, state: CallState) -> tuple[str, ...]:
    # Speech recognition is told every word this menu understands, and no other.
    return tuple(w for words in spoken_words(flow, state).values() for w in words)


def understood(flow: Flow, state: CallState, heard: Heard) -> str | None:
    """The key the caller meant (pressed, or said in words), or None if it means nothing here."""
    valid = _valid_keys(flow, state)
    digits = heard.digits.strip()
    if digits:
        return digits[0] if digits[0] in valid else None
    said = normal_speech(heard.speech)
    for token in said.split():
        if token in valid and token.isdigit():
            return token  # "1", "press 1": speech recognition writes numbers as digits
    best: tuple[float, str] | None = None
    for key, phrases in spoken_words(flow, state).items():
        for phrase in phrases:
            score = _likeness(normal_speech(phrase), said)
            if score >= SPEECH_CUTOFF and (best is None or score > best[0]):
                best = (score, key)
    return best[1] if best else None


def _valid_keys(flow: Flow, state: CallState) -> set[str]:
    if state.node == LANGUAGE_MENU:
        return {str(i) for i in range(1, len(flow.languages) + 1)} | set(GLOBAL_KEYS)
    if state.node == MESSAGE_MENU:
        return {"1", "2"} | set(GLOBAL_KEYS)
    return {o.key for o in flow.nodes[state.node].options} | set(GLOBAL_KEYS)


def spoken_words(flow: Flow, state: CallState) -> dict[str, list[str]]:
    """The words that choose each key at the state's menu, in its language."""
    lang = state.language
    words = flow.prompts[lang].words
    spoken = {key: list(words.get(name, [])) for key, name in GLOBAL_KEYS.items()}
    # At the language menu the caller hasn't chosen yet: a number in any language will do.
    numbered = flow.languages if state.node == LANGUAGE_MENU else (lang,)
    if state.node == LANGUAGE_MENU:
        for i, code in enumerate(flow.languages, start=1):
            spoken[str(i)] = list(flow.language(code).words) + [flow.language(code).name]
    elif state.node == MESSAGE_MENU:
        spoken["1"] = list(words.get("message", []))
        spoken["2"] = list(words.get("callback", []))
    else:
        spoken.update({k: list(v) for k, v in flow.prompts[lang].nodes[state.node].words.items()})
    valid = _valid_keys(flow, state)
    for code in numbered:
        for key, names in flow.prompts[code].numbers.items():
            if key in valid:
                spoken.setdefault(key, []).extend(names)
    return spoken


def normal_speech(text: str) -> str:
    """Words as the matcher compares them: folded as texts are (case, compatibility forms,
    Urdu typed with Arabic letters), punctuation gone."""
    return " ".join(re.sub(r"[^\w\s]", " ", fold(text)).split())


def _likeness(phrase: str, said: str) -> float:
    if not phrase or not said:
        return 0.0
    if re.search(rf"(?<!\w){re.escape(phrase)}(?!\w)", said):
        return 200.0 + len(phrase)  # whole words heard beat any near miss; longer beats shorter
    if len(phrase) < 5:
        return 0.0  # short words must be heard exactly: "no" is not "know"
    # A near miss is a slip in the phrase's own words, never the phrase found inside other
    # words ("nurse" in "nurseries", "person" in "personal", "one" in "someone"): compare it
    # with runs of whole words heard, of about its length.
    slack = 1 if len(phrase) <= 8 else 2
    heard = said.split()
    size = len(phrase.split())
    best = 0.0
    for width in {max(1, size - 1), size, size + 1}:
        for start in range(0, len(heard) - width + 1):
            window = " ".join(heard[start : start + width])
            if abs(len(window) - len(phrase)) <= slack:
                best = max(best, float(fuzz.ratio(phrase, window)))
    return best


def _missed(flow: Flow, state: CallState) -> Turn:
    tries = state.tries + 1
    lang = state.language
    missed = replace(state, tries=tries)
    if tries >= MISSES_BEFORE_ADVISER + 1:
        if state.node == MESSAGE_MENU:
            goodbye = (said(flow, "phrase:goodbye", lang),)
            return Turn(
                state=replace(missed, path=state.path + ("hung up",)), action="hangup", say=goodbye
            )
        return _act(flow, missed, "adviser")
    phrase = {1: "sorry", 2: "sorry_again"}.get(tries, "offer_adviser")
    if state.node == MESSAGE_MENU and phrase == "offer_adviser":
        phrase = "sorry_again"  # nobody can answer: don't offer what isn't there
    say = (said(flow, f"phrase:{phrase}", lang),)
    return Turn(state=missed, action="menu", say=say, menu=menu_at(flow, missed, simple=tries >= 2))


def _repeat(flow: Flow, state: CallState) -> Turn:
    again = replace(state, tries=0)
    return Turn(state=again, action="menu", menu=menu_at(flow, again, read=True))


def _back(flow: Flow, state: CallState) -> Turn:
    target = flow.back_of.get(state.node)
    if target is None and len(flow.languages) > 1:
        moved = CallState(node=LANGUAGE_MENU, language=state.language, path=state.path)
        return Turn(state=moved, action="menu", menu=menu_at(flow, moved))
    return enter(flow, state, target or flow.start)


def _chose_language(flow: Flow, state: CallState, key: str) -> Turn:
    special = GLOBAL_KEYS.get(key)
    if special == "adviser":
        return _act(flow, state, "adviser")
    if special is not None:  # * and # both say the choices again
        return _repeat(flow, state)
    code = flow.languages[int(key) - 1]
    chosen = CallState(node=LANGUAGE_MENU, language=code, path=state.path + (f"language:{code}",))
    return enter(flow, chosen, flow.start)


def _chose_message(flow: Flow, state: CallState, key: str) -> Turn:
    if key == "#":
        return enter(flow, state, flow.start)
    if key == "*":
        return _repeat(flow, state)
    # 0 (an adviser) reaches one the only way left tonight: a message they will hear.
    return _act(flow, state, "callback" if key == "2" else "message")


def _act(flow: Flow, state: CallState, action: str) -> Turn:
    moved = replace(state, tries=0, path=state.path + (action,))
    if action == "hangup":
        goodbye = (said(flow, "phrase:goodbye", state.language),)
        return Turn(state=moved, action="hangup", say=goodbye)
    if action == "text":
        node = flow.nodes.get(state.node)
        return Turn(
            state=moved,
            action="text",
            menu=menu_at(flow, moved),
            services=node.services if node else None,
        )
    return Turn(state=moved, action=action)
