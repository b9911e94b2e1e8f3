"""The helpline enqueues jobs by name and never imports workers/: the jobs depend on it, not it on
them (an import cycle would make each change ripple both ways)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from helpline.jobs import job_function
from helpline.periodic import PERIODIC

ROOT = Path(__file__).resolve().parents[2]


def imported_modules(path: Path) -> list[str]:
    """Every module a Python file imports, at any depth (imports inside functions too)."""
    names: list[str] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.append(node.module)
    return names


def test_nothing_in_helpline_imports_workers() -> None:
    offenders = [
        f"{path.relative_to(ROOT)}: {name}"
        for path in sorted((ROOT / "helpline").rglob("*.py"))
        for name in imported_modules(path)
        if name == "workers" or name.startswith("workers.")
    ]
    assert offenders == []


def test_the_check_sees_an_import_inside_a_function(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text("def f():\n    from workers.outbound import send_text\n")
    assert imported_modules(sample) == ["workers.outbound"]


def job_names_in_helpline() -> set[str]:
    """Every "workers.x.y" string written in helpline/."""
    found: set[str] = set()
    for path in (ROOT / "helpline").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (isinstance(node, ast.Constant) and isinstance(node.value, str)
                    and node.value.startswith("workers.") and node.value.count(".") == 2):
                found.add(node.value)
    return found


def test_every_job_the_helpline_names_exists() -> None:
    names = job_names_in_helpline()
    assert {job for job, _ in PERIODIC.values()} <= names
    assert "workers.outbound.send_text" in names
    for name in names:
        assert callable(job_function(name)), name


def test_only_jobs_in_workers_can_be_named() -> None:
    with pytest.raises(ValueError):
        job_function("os.system")
    with pytest.raises(AttributeError):
        job_function("workers.outbound.no_such_job")
