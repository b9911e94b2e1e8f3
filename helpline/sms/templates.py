"""Reply wording from sms_templates/<language>.yaml, and command words from commands.yaml.

Files are validated when loaded: every message present, only known {placeholders}, English in
GSM-7 only and in short sentences (helpline.plain_english), and every message (filled with long
sample values) within 3 SMS segments.
"""

from __future__ import annotations

import string
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import yaml
from pydantic import BaseModel, Field, ValidationError

from helpline.directory.text_match import compact
from helpline.plain_english import sentence_problems
from helpline.sms.segments import MAX_SEGMENTS, count_segments, non_gsm7_characters

# Every message a language must have, and the placeholders it may use.
MESSAGE_FIELDS: dict[str, frozenset[str]] = {
    name: frozenset(fields.split())
    for name, fields in {
        "menu": "",
        "welcome_back": "",
        "language_set": "",
        "list_header": "area",
        "list_header_refined": "area refinement",
        "refine_age": "age",
        "refine_place": "place",
        "age_not_used": "age",
        "place_not_known": "place",
        "list_item": "number name contact",
        "list_footer_more": "first last",
        "list_footer_end": "first last",
        "list_footer_one": "first",
        "no_results": "area",
        "no_results_refined": "area refinement",
        "search_header": "query",
        "search_header_refined": "query refinement",
        "no_close": "query",
        "no_close_area": "query area keyword",
        "no_more": "",
        "list_expired": "",
        "bad_number": "first last",
        "bad_number_end": "first last",
        "details_for": "ages",
        "details_hours": "hours",
        "details_address": "address",
        "details_cost": "cost",
        "details_contact": "contact",
        "details_footer": "",
        "details_gone": "",
        "ages_range": "minimum maximum",
        "ages_from": "minimum",
        "ages_to": "maximum",
        "cost_free": "",
        "callback_done": "days",
        "callback_already": "days",
        "feedback_thanks": "",
        "feedback_empty": "",
        "feedback_answered": "page",
        "error": "",
        "too_many": "",
    }.items()
}
# A process's facts take at most this many texts, so its services follow within three.
FACT_TEXTS = 2
PROCESS_KEYWORDS = ("EHC", "TRANSPORT", "ASSESSMENT", "TRANSFER", "BUDGET", "COMPLAINTS")
# Long but realistic values: a template that fits with these fits with real data.
SAMPLE_VALUES = {
    "area": "Free, independent SEND information, advice and support",
    "query": "speech and language therapy sign language",
    "keyword": "SHORTBREAKS",
    "days": "10",
    "refinement": "age 12, near DN15",
    "age": "12",
    "place": "DN15",
    "number": "12",
    "name": "Willow House Respite Service (Overnight Short Breaks) for child",
    "contact": "www.wyvernvale.example/local-offer/short-breaks",
    "first": "10",
    "last": "12",
    "ages": "age 16 and over",
    "hours": "Monday to Friday 9am to 5pm, Saturday 10am to 2pm, term time only",
    "address": "Wyvern Vale Civic Centre, 1 Castle Street, Wyvern Vale LN1 9ZX",
    "cost": "Free for families; some trips cost up to 5 pounds a day",
    "minimum": "16",
    "maximum": "25",
    "page": "https://helpline.wyvernvale.example/you-said-we-did",
}


class TemplateFile(BaseModel):
    """One language's sms_templates/<code>.yaml."""

    language: str
    name: str
    messages: dict[str, str]
    process: dict[str, str] = Field(default_factory=dict)
    # Local Offer area names in this language, by keyword (English names from keywords.yaml else).
    areas: dict[str, str] = Field(default_factory=dict)


class CommandWords(BaseModel):
    """sms_templates/commands.yaml: the words that steer a conversation, in every language."""

    opt_out: list[str]
    opt_in: list[str]
    menu: list[str]
    more: list[str]
    adviser: list[str]
    feedback: list[str]
    languages: dict[str, list[str]]
    letters: dict[str, str] = Field(default_factory=dict)  # language -> letters only it uses


@dataclass(frozen=True)
class Templates:
    """One language's wording, ready to fill."""

    language: str
    name: str
    messages: dict[str, str]
    process: dict[str, str]
    areas: dict[str, str]

    def render(self, key: str, **values: object) -> str:
        """The message `key` with its placeholders filled."""
        return self.messages[key].format(**values).strip()


@dataclass(frozen=True)
class CommandIndex:
    """Command words in compacted form ("callme"), for exact lookups of what a family texted."""

    commands: dict[str, str]  # compacted word -> opt_out, opt_in, menu, more, adviser, feedback
    languages: dict[str, str]  # compacted word -> language code
    letters: dict[str, str] = field(default_factory=dict)  # a letter -> the language it marks

    def written_in(self, text: str) -> str | None:
        """The language a text's own letters show ("głuchy" -> pl), or None if they don't."""
        return next((self.letters[c] for c in text if c in self.letters), None)

    @classmethod
    def build(cls, words: CommandWords) -> CommandIndex:
        """Index every command word by its compacted form."""
        commands: dict[str, str] = {}
        for command in ("opt_out", "opt_in", "menu", "more", "adviser", "feedback"):
            for word in getattr(words, command):
                commands.setdefault(compact(word), command)
        languages = {compact(w): code for code, ws in words.languages.items() for w in ws}
        letters = {c: code for code, marks in words.letters.items() for c in marks}
        return cls(commands, languages, letters)


@dataclass(frozen=True)
class TemplateSet:
    """Every language's templates and the command words."""

    languages: dict[str, Templates]
    commands: CommandWords
    index: CommandIndex

    def get(self, language: str) -> Templates:
        """The language's templates, or English when it has none."""
        return self.languages.get(language) or self.languages["en"]


def _placeholders(text: str) -> set[str]:
    return {field for _, field, _, _ in string.Formatter().parse(text) if field is not None}


def _problems(path: Path, data: TemplateFile) -> list[str]:
    problems: list[str] = []
    for key, fields in MESSAGE_FIELDS.items():
        if key not in data.messages:
            problems.append(f"{path.name}: message {key!r} is missing")
            continue
        try:
            unknown = _placeholders(data.messages[key]) - fields
        except ValueError as exc:
            problems.append(f"{path.name}: message {key!r} has a broken placeholder ({exc})")
            continue
        if unknown:
            problems.append(f"{path.name}: message {key!r} uses unknown {sorted(unknown)}")
    for key in data.messages.keys() - MESSAGE_FIELDS.keys():
        problems.append(f"{path.name}: message {key!r} is not used by the helpline")
    if data.process:
        problems.append(f"{path.name}: process: texts are numbered facts now, in "
                        f"facts/{data.language}.yaml")
    if problems:
        return problems
    texts = {f"message {k!r}": v.format(**SAMPLE_VALUES) for k, v in data.messages.items()}
    texts.update({f"process {k}": v for k, v in data.process.items()})
    for label, text in texts.items():
        if data.language == "en" and non_gsm7_characters(text):
            bad = "".join(sorted(set(non_gsm7_characters(text))))
            problems.append(f"{path.name}: {label} has non-GSM-7 characters {bad!r}")
        parts = count_segments(text.strip()).segments
        if parts > MAX_SEGMENTS:
            problems.append(f"{path.name}: {label} needs {parts} SMS segments (at most 3)")
    if data.language == "en":
        wording = {f"message {k!r}": v for k, v in data.messages.items()}
        wording.update({f"process {k}": v for k, v in data.process.items()})
        problems += sentence_problems(path.name, wording)
    return problems


def load_templates(folder: Path) -> TemplateSet:
    """Read and validate every language file and commands.yaml; raise ValueError on any problem."""
    problems: list[str] = []
    languages: dict[str, Templates] = {}
    for path in sorted(folder.glob("*.yaml")):
        if path.name == "commands.yaml":
            continue
        try:
            with path.open(encoding="utf-8") as handle:
                data = TemplateFile.model_validate(yaml.safe_load(handle))
        except (OSError, yaml.YAMLError, ValidationError) as exc:
            problems.append(f"{path.name}: not a valid template file ({exc})")
            continue
        if data.language != path.stem:
            problems.append(f"{path.name}: says language {data.language!r}")
        problems.extend(_problems(path, data))
        languages[data.language] = Templates(
            data.language, data.name, dict(data.messages), dict(data.process), dict(data.areas)
        )
    try:
        with (folder / "commands.yaml").open(encoding="utf-8") as handle:
            commands = CommandWords.model_validate(yaml.safe_load(handle))
    except (OSError, yaml.YAMLError, ValidationError) as exc:
        raise ValueError(f"commands.yaml: not a valid command word file ({exc})") from exc
    if "en" not in languages:
        problems.append("en.yaml is missing: English is the fallback language")
    languages, fact_problems = _with_facts(folder, languages)
    problems += fact_problems
    for code in commands.languages:
        if code not in languages:
            problems.append(f"commands.yaml names language {code!r} but {code}.yaml is missing")
    for code in commands.letters:
        if code not in languages:
            problems.append(f"commands.yaml gives letters for {code!r} but {code}.yaml is missing")
    for code in languages:
        if code not in commands.languages:
            problems.append(f"commands.yaml has no words that switch to {code!r}")
    if problems:
        raise ValueError("; ".join(problems))
    return TemplateSet(languages, commands, CommandIndex.build(commands))


def _with_facts(
    folder: Path, languages: dict[str, Templates]
) -> tuple[dict[str, Templates], list[str]]:
    """Each language's process texts: its numbered facts (facts/<lang>.yaml), each fact a line
    that fits one text (3 parts), English in GSM-7 and in short sentences."""
    from dataclasses import replace

    from helpline.sms.facts import load_facts
    from helpline.sms.replies import pack

    try:
        facts = load_facts(folder)
    except ValueError as exc:
        return languages, [str(exc)]
    problems: list[str] = []
    filled: dict[str, Templates] = {}
    for code, templates in languages.items():
        process = {keyword: "\n".join(facts.lines(code, keyword))
                   for keyword in facts.languages["en"].facts}
        filled[code] = replace(templates, process=process)
        where = f"facts/{code}.yaml"
        lines = {f"{keyword} fact {number}": line for keyword, text in process.items()
                 for number, line in enumerate(text.splitlines(), start=1)}
        for label, line in lines.items():
            if code == "en" and non_gsm7_characters(line):
                bad = "".join(sorted(set(non_gsm7_characters(line))))
                problems.append(f"{where}: {label} has non-GSM-7 characters {bad!r}")
            parts = count_segments(line).segments
            if parts > MAX_SEGMENTS:
                problems.append(f"{where}: {label} needs {parts} SMS segments (at most 3)")
        if code == "en":
            problems += sentence_problems(where, lines)
        for keyword, text in process.items():
            # Every fact reaches the family, and the services still follow within 3 texts.
            packed = pack(text.splitlines(), code)
            if len(packed) > FACT_TEXTS or sum(len(m.splitlines()) for m in packed) < len(
                    text.splitlines()):
                problems.append(f"{where}: {keyword} needs more than {FACT_TEXTS} texts; "
                                "shorten its facts")
    return filled, problems


@lru_cache(maxsize=4)
def templates_from(folder: str) -> TemplateSet:
    """The template set of a folder, read once per process."""
    return load_templates(Path(folder))
