"""Stepping through a phone menu: (call state, what the caller pressed or said) -> the next turn.

Pure: no Flask, Twilio or database. The voice channel keeps the state per call and turns each
Turn into TwiML; the engine never waits, sends or looks anything up.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from helpline.flows.hearing import (
    SPEECH_CUTOFF,
    age_in,
    normal_speech,
    spoken_words,
    valid_keys,
    without_age,
)
from helpline.flows.hearing import understood as _understood
from helpline.flows.model import GLOBAL_KEYS, Flow

__all__ = ["SPEECH_CUTOFF", "normal_speech", "spoken_words"]

LANGUAGE_MENU = "@language"  # offered when more than one language is configured
MESSAGE_MENU = "@message"  # nobody can answer: 1 leave a message, 2 ask for a call back
SEARCH_NODE = "@search"  # services for what the caller said in their own words
AGE_MENU = "@age"  # "@age:<services node>": the child's age, then back to that node's services
# After this many misses in a row the caller is put through to an adviser (never hung up on).
MISSES_BEFORE_ADVISER = 3
# The caller's own words kept for the search: enough for a need, never a whole story.
MAX_QUERY_CHARACTERS = 80


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
    """Where a call is: the node, its language, misses in a row there, and the path so far;
    at a services menu also which service is being read, the child's age and the words said."""

    node: str
    language: str
    tries: int = 0
    path: tuple[str, ...] = ()
    item: int = 0
    age: int | None = None
    query: str = ""


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
    item: int = 0  # which of the services found is read (one at a time)
    age: int | None = None
    query: str = ""
    keys: int = 1  # keys gathered: 2 for an age, ended by #


@dataclass(frozen=True)
class Turn:
    """What the call does next: say these lines, then the action (a menu, text, adviser...)."""

    state: CallState
    action: str  # menu | text | adviser | message | callback | feedback | hangup
    say: tuple[Line, ...] = ()
    menu: Menu | None = None
    services: str | None = field(default=None)  # for "text": the search whose services to send
    silent: bool = False  # the caller let every offer pass without a word or a key


def begin(flow: Flow) -> Turn:
    """The start of a call: the greeting inside the first menu, so any key skips it."""
    first = flow.languages[0]
    greeting = said(flow, "phrase:greeting", first)
    if len(flow.languages) > 1:
        state = CallState(node=LANGUAGE_MENU, language=first)
        menu = menu_at(flow, state)
        return Turn(state=state, action="menu", menu=replace(menu, lines=(greeting, *menu.lines)))
    turn = enter(flow, CallState(node=flow.start, language=first), flow.start)
    assert turn.menu is not None
    return replace(turn, menu=replace(turn.menu, lines=(greeting, *turn.menu.lines)))


def enter(flow: Flow, state: CallState, node: str, before: tuple[Line, ...] = (),
          *, age: int | None = None, query: str = "") -> Turn:
    """Go to a node: its services are read out (the first one), then its menu."""
    moved = CallState(node=node, language=state.language, tries=0, path=state.path + (node,),
                      age=age, query=query)
    return Turn(state=moved, action="menu", say=before, menu=menu_at(flow, moved, read=True))


def offer_message(flow: Flow, state: CallState, reason: str) -> Turn:
    """No adviser can answer (closed, or nobody free): offer a message or a call back."""
    moved = CallState(node=MESSAGE_MENU, language=state.language, path=state.path + (reason,))
    say = (said(flow, f"phrase:{reason}", state.language),)
    return Turn(state=moved, action="menu", say=say, menu=menu_at(flow, moved))


def _known(flow: Flow, node: str) -> bool:
    return (node in flow.nodes or node in (LANGUAGE_MENU, MESSAGE_MENU, SEARCH_NODE)
            or (node.startswith(AGE_MENU + ":") and services_at(flow, node[5:]) is not None))


def services_at(flow: Flow, node: str) -> str | None:
    """Whether a node reads services: its keyword ("" for the caller's own words), else None."""
    if node == SEARCH_NODE:
        return ""
    found = flow.nodes.get(node)
    return found.services if found is not None and found.services else None


def step(flow: Flow, state: CallState, heard: Heard) -> Turn:
    """The next turn after the caller answered (or didn't) the menu at state.node."""
    if not _known(flow, state.node) or (state.node == SEARCH_NODE and not state.query):
        return enter(flow, state, flow.start)
    if state.node.startswith(AGE_MENU + ":"):
        return _heard_age(flow, state, heard)
    key = None if heard.silent else understood(flow, state, heard)
    if key is None:
        if state.node == flow.start and _says_something(heard):
            return _own_words(flow, state, heard.speech)
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
    searched = state.node == SEARCH_NODE
    options = flow.services_options() if searched else flow.nodes[state.node].options
    option = next(o for o in options if o.key == key)
    age = age_in(flow, state.language, heard.speech) if heard.speech else None
    if option.goto is not None:
        return enter(flow, state, option.goto, age=age if age is not None else state.age)
    if option.do == "repeat":
        return _repeat(flow, state)
    if option.do == "next":
        return _next(flow, state)
    if option.do == "age":
        moved = replace(state, node=f"{AGE_MENU}:{state.node}", tries=0)
        return Turn(state=moved, action="menu", menu=menu_at(flow, moved))
    return _act(flow, state, option.do or "adviser")


def understood(flow: Flow, state: CallState, heard: Heard) -> str | None:
    """The key the caller meant (pressed, or said in words), or None if it means nothing here."""
    return _understood(flow, state, heard.digits, heard.speech)


def menu_at(flow: Flow, state: CallState, *, simple: bool = False, read: bool = False) -> Menu:
    """The menu offered at the state's node, in full or in its simplest form."""
    lang = state.language
    tail = said(flow, "phrase:menu_tail", lang)
    if state.node == LANGUAGE_MENU:
        first = flow.languages[0]
        choices = [said(flow, f"choose:{code}", code) for code in flow.languages]
        # "0 for a person" straight after the first language: said within the first seconds.
        choices.insert(1, said(flow, "phrase:menu_tail", first))
        return Menu(node=LANGUAGE_MENU, language=lang, lines=tuple(choices),
                    hints=_hints(flow, state))
    if state.node == MESSAGE_MENU:
        name = "leave_message_simple" if simple else "leave_message_menu"
        # Nobody can answer here: "0 for a person" would be a promise nobody keeps.
        offered: tuple[Line, ...] = (said(flow, f"phrase:{name}", lang),)
        if not simple:  # the simplest choices are two at most
            offered += (said(flow, "phrase:repeat_tail", lang),)
        return Menu(node=MESSAGE_MENU, language=lang, lines=offered, hints=_hints(flow, state))
    if state.node.startswith(AGE_MENU + ":"):
        return Menu(node=state.node, language=lang, lines=(said(flow, "phrase:age_ask", lang),),
                    item=0, age=state.age, query=state.query, keys=2)
    node = flow.services_node() if state.node == SEARCH_NODE else state.node
    wording = flow.prompts[lang].nodes[node]
    form = "simple" if simple and wording.simple else "prompt"
    services = services_at(flow, state.node)
    if services == "":
        services = state.query
    prompt = said(flow, f"node:{node}:{form}", lang)
    return Menu(
        node=state.node,
        language=lang,
        # The simplest choices are two at most: no "a person, repeat" after them.
        lines=(prompt,) if form == "simple" else (prompt, tail),
        hints=_hints(flow, state),
        read_services=services if read else None,
        item=state.item,
        age=state.age,
        query=state.query,
    )


def _hints(flow: Flow, state: CallState) -> tuple[str, ...]:
    # Speech recognition is told every word this menu understands, and no other.
    return tuple(w for words in spoken_words(flow, state).values() for w in words)


def _says_something(heard: Heard) -> bool:
    """Words that could be a need ("my son is deaf"), not a key or a sound ("um", "so")."""
    if heard.digits.strip():
        return False
    return any(len(word) >= 3 or word.isdecimal() for word in normal_speech(heard.speech).split())


def _own_words(flow: Flow, state: CallState, speech: str) -> Turn:
    """The caller said what they need in their own words: the services the search finds."""
    age = age_in(flow, state.language, speech)
    words = without_age(flow, state.language, speech)[:MAX_QUERY_CHARACTERS]
    if not words:  # only an age ("he is twelve"): keep it, and offer the menu again
        again = replace(state, age=age, tries=0)
        heard = said(flow, "phrase:age_heard", state.language)
        return Turn(state=again, action="menu", say=(heard,), menu=menu_at(flow, again))
    return enter(flow, state, SEARCH_NODE, age=age if age is not None else state.age, query=words)


def _heard_age(flow: Flow, state: CallState, heard: Heard) -> Turn:
    """The age asked for, or nothing (it is optional): back to the services, for that age."""
    node = state.node[len(AGE_MENU) + 1 :]
    digits = heard.digits.strip().rstrip("#")
    if digits == "*":
        return Turn(state=state, action="menu", menu=menu_at(flow, state))
    age = None
    if digits.isdecimal() and int(digits) <= 25:
        age = int(digits)
    elif heard.speech:
        age = age_in(flow, state.language, heard.speech)
    step_name = "age" if age is not None else "no age"
    moved = CallState(node=node, language=state.language, query=state.query,
                      age=age if age is not None else state.age, path=state.path + (step_name,))
    return Turn(state=moved, action="menu", menu=menu_at(flow, moved, read=True))


def _missed(flow: Flow, state: CallState) -> Turn:
    tries = state.tries + 1
    lang = state.language
    missed = replace(state, tries=tries)
    if tries >= MISSES_BEFORE_ADVISER + 1:
        if state.node == MESSAGE_MENU:
            goodbye = (said(flow, "phrase:goodbye", lang),)
            return Turn(state=replace(missed, path=state.path + ("hung up",)), action="hangup",
                        say=goodbye, silent=True)
        return replace(_act(flow, missed, "adviser"), silent=True)
    phrase = {1: "sorry", 2: "sorry_again"}.get(tries, "offer_adviser")
    if state.node == MESSAGE_MENU and phrase == "offer_adviser":
        phrase = "sorry_again"  # nobody can answer: don't offer what isn't there
    say = (said(flow, f"phrase:{phrase}", lang),)
    return Turn(state=missed, action="menu", say=say, menu=menu_at(flow, missed, simple=tries >= 2))


def _repeat(flow: Flow, state: CallState) -> Turn:
    again = replace(state, tries=0)
    return Turn(state=again, action="menu", menu=menu_at(flow, again, read=True))


def _next(flow: Flow, state: CallState) -> Turn:
    """The next service of the list (the voice channel says when there are no more)."""
    moved = replace(state, tries=0, item=state.item + 1)
    return Turn(state=moved, action="menu", menu=menu_at(flow, moved, read=True))


def _back(flow: Flow, state: CallState) -> Turn:
    target = flow.start if state.node == SEARCH_NODE else flow.back_of.get(state.node)
    if target is None and len(flow.languages) > 1:
        moved = CallState(node=LANGUAGE_MENU, language=state.language, path=state.path)
        return Turn(state=moved, action="menu", menu=menu_at(flow, moved))
    return enter(flow, state, target or flow.start, age=state.age)


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
        return Turn(
            state=moved,
            action="text",
            menu=menu_at(flow, moved),
            services=services_at(flow, state.node) or state.query or None,
        )
    return Turn(state=moved, action=action)


# Kept for callers that import them from here.
_valid_keys = valid_keys
