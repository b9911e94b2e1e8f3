"""`helpline check` validates the SMS templates."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from helpline.sms import check_templates


def test_helpline_check_reports_the_sms_templates_ok(runner: Any) -> None:
    result = runner.invoke(args=["check"])
    assert "sms_templates: ok" in result.output
    assert result.exit_code == 0


def test_helpline_check_names_a_broken_template(make_app: Any, tmp_path: Path) -> None:
    folder = tmp_path / "templates"
    folder.mkdir()
    (folder / "commands.yaml").write_text("opt_out: [STOP]\n", encoding="utf-8")
    problems = check_templates(make_app(SMS_TEMPLATES_DIR=str(folder)))
    assert problems and "commands.yaml" in problems[0]
