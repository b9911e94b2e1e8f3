"""`helpline flows check` rules, on the shipped flow and on broken copies of it."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from helpline.flows.check import check_flows_dir

FLOWS = Path(__file__).resolve().parents[2] / "ivr_flows"
KEYWORDS = ["SHORTBREAKS", "SOCIALCARE", "EDUCATION", "EARLYYEARS", "COLLEGE", "HEALTH", "EHC",
            "TRANSPORT", "MONEY"]


def broken_copy(tmp_path: Path, change: Callable[[dict, dict], None]) -> Path:
    """A copy of the shipped flows with `change(main, prompts_by_language)` applied."""
    folder = tmp_path / "ivr_flows"
    shutil.copytree(FLOWS, folder)
    main = yaml.safe_load((folder / "main.yaml").read_text())
    prompts = {p.stem: yaml.safe_load(p.read_text()) for p in (folder / "prompts").glob("*.yaml")}
    change(main, prompts)
    (folder / "main.yaml").write_text(yaml.safe_dump(main, allow_unicode=True))
    for code, data in prompts.items():
        (folder / "prompts" / f"{code}.yaml").write_text(yaml.safe_dump(data, allow_unicode=True))
    return folder


def test_the_shipped_flows_pass() -> None:
    assert check_flows_dir(FLOWS, KEYWORDS) == []


def _unknown_target(main: dict, prompts: dict) -> None:
    main["nodes"]["breaks"]["options"][0]["goto"] = "shortbrakes"


def _unreachable(main: dict, prompts: dict) -> None:
    main["nodes"]["orphan"] = {"options": [{"key": 1, "goto": "main"}], "back": "main"}
    for data in prompts.values():
        data["nodes"]["orphan"] = {"prompt": "Lost.", "words": {"1": ["main"]}}


def _missing_polish_prompt(main: dict, prompts: dict) -> None:
    del prompts["pl"]["nodes"]["health"]


def _missing_urdu_phrase(main: dict, prompts: dict) -> None:
    del prompts["ur"]["phrases"]["sorry"]


def _six_options(main: dict, prompts: dict) -> None:
    main["nodes"]["main"]["options"].append({"key": 6, "goto": "health"})
    for data in prompts.values():
        data["nodes"]["main"]["words"]["6"] = ["health"]


def _two_ways_in_and_no_back(main: dict, prompts: dict) -> None:
    main["nodes"]["education"]["options"].append({"key": 4, "goto": "health"})
    for data in prompts.values():
        data["nodes"]["education"]["words"]["4"] = ["health"]


def _back_in_a_circle(main: dict, prompts: dict) -> None:
    main["nodes"]["breaks"]["back"] = "shortbreaks"


def _zero_as_an_option(main: dict, prompts: dict) -> None:
    main["nodes"]["breaks"]["options"].append({"key": 0, "do": "hangup"})


def _text_without_services(main: dict, prompts: dict) -> None:
    main["nodes"]["breaks"]["options"].append({"key": 3, "do": "text"})
    for data in prompts.values():
        data["nodes"]["breaks"]["words"]["3"] = ["text"]


def _unknown_keyword(main: dict, prompts: dict) -> None:
    main["nodes"]["health"]["services"] = "HEALHT"


def _bad_placeholder(main: dict, prompts: dict) -> None:
    prompts["en"]["phrases"]["position"] = "You are number {place} in the queue."


def _no_spoken_words(main: dict, prompts: dict) -> None:
    del prompts["pl"]["nodes"]["breaks"]["words"][2]


def _long_english_prompt(main: dict, prompts: dict) -> None:
    prompts["en"]["nodes"]["breaks"]["prompt"] = (
        "For short breaks, which give you and your child some time apart doing something fun "
        "with people you trust, press 1 now.")


def _one_word_for_two_keys(main: dict, prompts: dict) -> None:
    prompts["en"]["nodes"]["breaks"]["words"][2].append("respite")


def _unknown_action(main: dict, prompts: dict) -> None:
    main["nodes"]["breaks"]["options"][1] = {"key": 2, "do": "teleport"}


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        (_unknown_target, "node breaks key 1: unknown target 'shortbrakes'"),
        (_unreachable, "node orphan: unreachable from main"),
        (_missing_polish_prompt, "prompts/pl.yaml: node health: prompt is missing"),
        (_missing_urdu_phrase, "prompts/ur.yaml: phrase 'sorry' is missing"),
        (_six_options, "node main: 6 options; at most 5"),
        (_two_ways_in_and_no_back, "node health: no way back: reached from education, main"),
        (_back_in_a_circle, "node breaks: no way back: # goes round in a circle"),
        (_zero_as_an_option, "node breaks key 0: 0 is adviser at every menu"),
        (_text_without_services, "node breaks key 3: 'text' only works where services are read"),
        (_unknown_keyword, "node health: services: unknown keyword 'HEALHT'"),
        (_bad_placeholder, "prompts/en.yaml: phrase 'position': unknown placeholder(s) place"),
        (_no_spoken_words, "prompts/pl.yaml: node breaks key 2: no spoken words"),
        (_unknown_action, "nodes.breaks.options.1.do"),
        (_one_word_for_two_keys, "node breaks: 'respite' is said for both 1 and 2"),
        (_long_english_prompt, "prompts/en.yaml: node breaks has a sentence of 22 words"),
    ],
    ids=lambda value: value.__name__.strip("_") if callable(value) else "",
)
def test_broken_flows_are_rejected(
    tmp_path: Path, change: Callable[[dict, dict], None], problem: str
) -> None:
    problems = check_flows_dir(broken_copy(tmp_path, change), KEYWORDS)
    assert any(problem in p for p in problems), problems


def test_a_flow_file_that_is_not_yaml_is_reported(tmp_path: Path) -> None:
    folder = tmp_path / "flows"
    shutil.copytree(FLOWS, folder)
    (folder / "main.yaml").write_text("start: main\nnodes: [unclosed\n")
    [problem] = check_flows_dir(folder, KEYWORDS)
    assert problem.startswith("main.yaml: not valid YAML")
