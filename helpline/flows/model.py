"""Phone menus as data: ivr_flows/main.yaml (the shape) and ivr_flows/prompts/<lang>.yaml (words).

Plain Python and pydantic only: no Flask, Twilio or database, so the engine is tested alone.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

# What an option can do instead of going to another node.
Action = Literal["text", "adviser", "message", "callback", "repeat", "hangup", "next", "age",
                 "feedback"]
# Keys every menu answers the same way, so they are never a node's own option.
GLOBAL_KEYS = {"0": "adviser", "*": "repeat", "#": "back"}
MAX_OPTIONS = 5
# Phrases every language file must have; {placeholders} are filled in by the voice channel.
REQUIRED_PHRASES = (
    "greeting",
    "sorry",
    "sorry_again",
    "offer_adviser",
    "services_intro",
    "no_services",
    "service",
    "who_ages",
    "who_everyone",
    "phone",
    "no_phone",
    "texted",
    "cannot_text",
    "text_body_intro",
    "hold",
    "position",
    "closed",
    "no_adviser_free",
    "leave_message_menu",
    "leave_message_simple",
    "record_prompt",
    "message_saved",
    "no_message_heard",
    "callback_booked",
    "number_hidden",
    "goodbye",
    "trouble",
    "no_services_menu",
    "menu_tail",
    "menu_tail_closed",
    "repeat_tail",
    "texts_first",
    "last_service",
    "age_ask",
    "age_heard",
    "open_hours",
    "callback_promise",
    "offer_callback_closed",
    "feedback_prompt",
    "feedback_saved",
)
GLOBAL_WORDS = ("adviser", "repeat", "back")


class FlowError(ValueError):
    """A flow or prompt file that can't be used; the message says which file and what."""


class Option(BaseModel):
    """A key the caller can press (or words they can say) at a node."""

    model_config = ConfigDict(extra="forbid")

    key: str
    goto: str | None = None
    do: Action | None = None

    @field_validator("key", mode="before")
    @classmethod
    def _key_text(cls, value: object) -> str:
        return str(value)


class Node(BaseModel):
    """A menu: its options, the services it reads out, and where # goes back to."""

    model_config = ConfigDict(extra="forbid")

    options: list[Option] = Field(default_factory=list)
    services: str | None = None  # a keyword (or search words) whose services are read out
    back: str | None = None  # where # goes; inferred when exactly one node leads here


class Timing(BaseModel):
    """How long a caller may listen: budgets `helpline flows check` holds every flow to."""

    model_config = ConfigDict(extra="forbid")

    words_per_minute: int = 150
    greeting: float = 4.0  # seconds, the greeting before the first choice
    person_by: float = 10.0  # "0 for a person" is said by then
    main_menu: float = 15.0  # the first menu's prompt
    prompt: float = 20.0  # any other prompt
    first_number: dict[str, float] = Field(default_factory=lambda: {"en": 25.0})
    first_number_other: float = 35.0  # languages not named in first_number


class FlowFile(BaseModel):
    """ivr_flows/main.yaml."""

    model_config = ConfigDict(extra="forbid")

    start: str
    languages: list[str]
    nodes: dict[str, Node]
    timing: Timing = Field(default_factory=Timing)


class LanguageInfo(BaseModel):
    """How a language is heard and spoken on Twilio, and how it is offered."""

    model_config = ConfigDict(extra="forbid")

    name: str
    choose: str  # spoken in the language menu, in this language
    gather: str | None = None  # Twilio <Gather language>; None: keypad only
    say_language: str | None = None  # Twilio <Say language>; None: Twilio has no voice for it
    say_voice: str | None = None
    # With no Twilio voice, the choice is said in the first language's voice until audio exists.
    choose_fallback: str | None = None
    tts: str  # gTTS / espeak-ng language code
    words: list[str] = Field(default_factory=list)  # what a caller says to choose it


class NodeWords(BaseModel):
    """A node's wording in one language."""

    model_config = ConfigDict(extra="forbid")

    prompt: str
    simple: str | None = None  # the shorter menu used after two misses
    words: dict[str, list[str]] = Field(default_factory=dict)  # option key -> spoken words

    @field_validator("words", mode="before")
    @classmethod
    def _keys_text(cls, value: object) -> object:
        if isinstance(value, dict):
            return {str(k): v for k, v in value.items()}
        return value


class PromptFile(BaseModel):
    """ivr_flows/prompts/<lang>.yaml."""

    model_config = ConfigDict(extra="forbid")

    language: LanguageInfo
    phrases: dict[str, str]
    words: dict[str, list[str]] = Field(default_factory=dict)  # adviser / repeat / back
    # Keys said as words ("two", "dwa"): heard whole, never as part of another word.
    numbers: dict[str, list[str]] = Field(default_factory=dict)
    nodes: dict[str, NodeWords] = Field(default_factory=dict)
    # A child's age said in words ("twelve", "dwanaście"), by age: heard whole words only.
    ages: dict[str, list[str]] = Field(default_factory=dict)
    # Words said around an age ("he is", "years old"): dropped with it from a search.
    age_context: list[str] = Field(default_factory=list)
    # Day names as said, mo..su, for a service's opening hours.
    days: dict[str, str] = Field(default_factory=dict)

    @field_validator("numbers", "ages", mode="before")
    @classmethod
    def _number_keys_text(cls, value: object) -> object:
        if isinstance(value, dict):
            return {str(k): v for k, v in value.items()}
        return value


@dataclass(frozen=True)
class Flow:
    """A whole phone menu: the shape, and its wording in each language."""

    start: str
    languages: tuple[str, ...]
    nodes: dict[str, Node]
    prompts: dict[str, PromptFile]
    back_of: dict[str, str | None]
    timing: Timing = field(default_factory=Timing)

    def services_node(self) -> str:
        """The first node that reads services: the caller's own words use its menu and words."""
        return next(name for name, node in self.nodes.items() if node.services)

    def services_options(self) -> list[Option]:
        """The options of a services menu (text, next, age...)."""
        return self.nodes[self.services_node()].options

    def phrase(self, language: str, name: str, /, **values: object) -> str:
        """A shared phrase in a language, with its {placeholders} filled."""
        text = self.prompts[language].phrases[name]
        return text.format(**values) if values else text

    def wording(self, key: str, language: str, /, **values: object) -> str:
        """The text for a wording key: phrase:<name>, choose:<lang> or node:<id>:prompt|simple."""
        kind, _, rest = key.partition(":")
        if kind == "phrase":
            return self.phrase(language, rest, **values)
        if kind == "choose":
            return self.prompts[rest].language.choose
        node, _, form = rest.partition(":")
        words = self.prompts[language].nodes[node]
        return (words.simple or words.prompt) if form == "simple" else words.prompt

    def wording_keys(self) -> list[str]:
        """Every fixed wording key (no placeholders), for building the audio cache."""
        keys = [f"choose:{code}" for code in self.languages]
        names = {
            n for p in self.prompts.values() for n, text in p.phrases.items() if "{" not in text
        }
        keys += [f"phrase:{name}" for name in sorted(names)]
        for node in self.nodes:
            keys += [f"node:{node}:prompt", f"node:{node}:simple"]
        return keys

    def language(self, code: str) -> LanguageInfo:
        """How a language is spoken and heard."""
        return self.prompts[code].language


def parents_of(nodes: dict[str, Node]) -> dict[str, list[str]]:
    """For each node, the nodes whose options go to it."""
    parents: dict[str, list[str]] = {name: [] for name in nodes}
    for name, node in nodes.items():
        for option in node.options:
            if option.goto in parents and name not in parents[option.goto]:
                parents[option.goto].append(name)
    return parents


def infer_back(start: str, nodes: dict[str, Node]) -> dict[str, str | None]:
    """Where # goes from each node: its `back`, else its only parent; None when it can't be told."""
    parents = parents_of(nodes)
    back: dict[str, str | None] = {}
    for name, node in nodes.items():
        if node.back is not None:
            back[name] = node.back
        elif name == start:
            back[name] = None
        else:
            others = [p for p in parents[name] if p != name]
            back[name] = others[0] if len(others) == 1 else None
    return back


def _read_yaml(path: Path) -> object:
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise FlowError(f"{path.name}: can't read it ({exc.strerror})") from exc
    except yaml.YAMLError as exc:
        raise FlowError(f"{path.name}: not valid YAML ({exc})") from exc


def _validated(model: type[BaseModel], data: object, where: str) -> BaseModel:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in error['loc'])}: {error['msg']}" for error in exc.errors()
        )
        raise FlowError(f"{where}: {problems}") from exc


def load_flow(flows_dir: Path, name: str = "main") -> Flow:
    """Read and validate a flow and its prompt files; raises FlowError saying what is wrong."""
    flows_dir = Path(flows_dir)
    shape = _validated(FlowFile, _read_yaml(flows_dir / f"{name}.yaml"), f"{name}.yaml")
    assert isinstance(shape, FlowFile)
    if not shape.languages:
        raise FlowError(f"{name}.yaml: languages: list at least one language")
    prompts: dict[str, PromptFile] = {}
    for code in shape.languages:
        where = f"prompts/{code}.yaml"
        parsed = _validated(PromptFile, _read_yaml(flows_dir / "prompts" / f"{code}.yaml"), where)
        assert isinstance(parsed, PromptFile)
        prompts[code] = parsed
    return Flow(
        start=shape.start,
        languages=tuple(shape.languages),
        nodes=dict(shape.nodes),
        prompts=prompts,
        back_of=infer_back(shape.start, shape.nodes),
        timing=shape.timing,
    )
