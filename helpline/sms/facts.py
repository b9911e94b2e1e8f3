"""Process explanations as short numbered facts with stable ids: sms_templates/facts/<lang>.yaml.

English is the reference: every other language must state every English fact (same area, same
id), so a family reading Polish or Urdu gets the same rights and deadlines. A fact that came from
machine translation is marked `machine: true` until a native speaker has checked it;
`helpline check --untranslated` lists them.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

FACTS_FOLDER = "facts"


class Fact(BaseModel):
    """One fact: its words, and whether a person has checked a machine translation of it."""

    model_config = ConfigDict(extra="forbid")

    text: str
    machine: bool = False  # made by machine translation; not yet checked by a native speaker


class FactFile(BaseModel):
    """sms_templates/facts/<lang>.yaml: facts by process keyword, then by id, in order."""

    model_config = ConfigDict(extra="forbid")

    language: str
    facts: dict[str, dict[str, Fact]] = Field(default_factory=dict)

    @field_validator("facts", mode="before")
    @classmethod
    def _plain_strings(cls, value: object) -> object:
        # A fact written as plain text is a checked fact.
        if isinstance(value, dict):
            return {
                area: {
                    str(key): ({"text": fact} if isinstance(fact, str) else fact)
                    for key, fact in (facts or {}).items()
                }
                if isinstance(facts, dict) else facts
                for area, facts in value.items()
            }
        return value


@dataclass(frozen=True)
class FactSet:
    """Every language's facts."""

    languages: dict[str, FactFile]

    def lines(self, language: str, keyword: str) -> list[str]:
        """The facts of a process in a language, numbered, one per line ("1. ...")."""
        facts = self.languages.get(language) or self.languages["en"]
        found = facts.facts.get(keyword) or self.languages["en"].facts.get(keyword, {})
        return [f"{number}. {fact.text.strip()}" for number, fact in
                enumerate(found.values(), start=1)]

    def untranslated(self) -> list[str]:
        """Every fact marked as machine-made, as "<lang> <area> <id>: text"."""
        return [
            f"{code} {area} {key}: {fact.text.strip()}"
            for code, file in sorted(self.languages.items())
            for area, facts in file.facts.items()
            for key, fact in facts.items()
            if fact.machine
        ]


def load_facts(folder: Path) -> FactSet:
    """Read every facts/<lang>.yaml; raises ValueError naming what is wrong."""
    languages: dict[str, FactFile] = {}
    problems: list[str] = []
    for path in sorted((Path(folder) / FACTS_FOLDER).glob("*.yaml")):
        try:
            data = FactFile.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))
        except (OSError, yaml.YAMLError, ValidationError) as exc:
            problems.append(f"facts/{path.name}: not a valid facts file ({exc})")
            continue
        if data.language != path.stem:
            problems.append(f"facts/{path.name}: says language {data.language!r}")
        languages[path.stem] = data
    if "en" not in languages and not problems:
        problems.append("facts/en.yaml is missing: English is the reference")
    if problems:
        raise ValueError("; ".join(problems))
    return FactSet(languages)


def fact_problems(facts: FactSet, keywords: list[str], languages: list[str]) -> list[str]:
    """A process with no English facts, a language missing a fact English has (or with one
    English lacks), and empty facts: what `helpline check` fails on."""
    english = facts.languages["en"].facts
    problems = [f"facts/en.yaml: no facts for {keyword}" for keyword in keywords
                if not english.get(keyword)]
    for code in languages:
        file = facts.languages.get(code)
        if file is None:
            problems.append(f"facts/{code}.yaml is missing")
            continue
        for area, ids in english.items():
            mine = file.facts.get(area, {})
            problems += [f"facts/{code}.yaml: {area} lacks fact {key!r} that English has"
                         for key in ids if key not in mine]
            problems += [f"facts/{code}.yaml: {area} fact {key!r} is not in English"
                         for key in mine if key not in ids]
        for area, mine in file.facts.items():
            if area not in english:
                problems.append(f"facts/{code}.yaml: {area} is not an English process")
            problems += [f"facts/{code}.yaml: {area} fact {key!r} is empty"
                         for key, fact in mine.items() if not fact.text.strip()]
    return problems
