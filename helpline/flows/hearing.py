"""What a caller meant: a key pressed, words said for an option, or an age said in words.

Pure: the flow's words and the caller's input in, a key (or an age) out.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from rapidfuzz import fuzz

from helpline.directory.text_match import fold
from helpline.flows.model import GLOBAL_KEYS, Flow

if TYPE_CHECKING:
    from helpline.flows.engine import CallState

# How alike spoken words must be to an option's words (rapidfuzz partial ratio, 0-100).
SPEECH_CUTOFF = 85
# The Local Offer is for ages 0 to 25: a number said outside that is not a child's age.
OLDEST = 25


def understood(flow: Flow, state: CallState, digits: str, speech: str) -> str | None:
    """The key the caller meant (pressed, or said in words), or None if it means nothing here."""
    valid = valid_keys(flow, state)
    digits = digits.strip()
    if digits:
        return digits[0] if digits[0] in valid else None
    said = normal_speech(speech)
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


def valid_keys(flow: Flow, state: CallState) -> set[str]:
    """The keys that mean something at the state's menu."""
    from helpline.flows.engine import LANGUAGE_MENU, MESSAGE_MENU, SEARCH_NODE

    if state.node == LANGUAGE_MENU:
        return {str(i) for i in range(1, len(flow.languages) + 1)} | set(GLOBAL_KEYS)
    if state.node == MESSAGE_MENU:
        return {"1", "2"} | set(GLOBAL_KEYS)
    if state.node == SEARCH_NODE:
        return {o.key for o in flow.services_options()} | set(GLOBAL_KEYS)
    return {o.key for o in flow.nodes[state.node].options} | set(GLOBAL_KEYS)


def spoken_words(flow: Flow, state: CallState) -> dict[str, list[str]]:
    """The words that choose each key at the state's menu, in its language."""
    from helpline.flows.engine import LANGUAGE_MENU, MESSAGE_MENU, SEARCH_NODE

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
        node = flow.services_node() if state.node == SEARCH_NODE else state.node
        spoken.update({k: list(v) for k, v in flow.prompts[lang].nodes[node].words.items()})
    valid = valid_keys(flow, state)
    for code in numbered:
        for key, names in flow.prompts[code].numbers.items():
            if key in valid:
                spoken.setdefault(key, []).extend(names)
    return spoken


def normal_speech(text: str) -> str:
    """Words as the matcher compares them: folded as texts are (case, compatibility forms,
    Urdu typed with Arabic letters), punctuation gone."""
    return " ".join(re.sub(r"[^\w\s]", " ", fold(text)).split())


def age_in(flow: Flow, language: str, speech: str) -> int | None:
    """A child's age said in words or digits ("he is twelve", "12 lat"), or None."""
    said = normal_speech(speech)
    for token in said.split():
        if token.isdecimal() and len(token) <= 2 and int(token) <= OLDEST:
            return int(token)
    best: tuple[int, int] | None = None  # (length of the words, age): "twenty one" beats "one"
    for age, names in flow.prompts[language].ages.items():
        for name in names:
            phrase = normal_speech(name)
            if phrase and re.search(rf"(?<!\w){re.escape(phrase)}(?!\w)", said):
                if best is None or len(phrase) > best[0]:
                    best = (len(phrase), int(age))
    return best[1] if best else None


def without_age(flow: Flow, language: str, speech: str) -> str:
    """The caller's words with the age taken out, for the directory search."""
    said = normal_speech(speech)
    prompts = flow.prompts[language]
    if age_in(flow, language, speech) is None:
        return said
    names = sorted(
        (normal_speech(n) for n in [*(n for ns in prompts.ages.values() for n in ns),
                                    *prompts.age_context]),
        key=len, reverse=True,
    )
    for name in names:
        if name:
            said = re.sub(rf"(?<!\w){re.escape(name)}(?!\w)", " ", said)
    said = re.sub(r"(?<!\w)\d{1,2}(?!\w)", " ", said)
    return " ".join(said.split())


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
