"""The layout the customer fixed: platform/ is an import root, never a package."""

from __future__ import annotations

import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

pytestmark = pytest.mark.foundation

REPO = Path(__file__).resolve().parents[2]


def test_platform_is_not_a_package() -> None:
    assert not (REPO / "platform" / "__init__.py").exists()


def test_top_level_layout() -> None:
    for name in ("platform", "tenants", "billing", "mailhosting", "infra", "tests"):
        assert (REPO / name).is_dir(), name
    for name in ("pyproject.toml", "docker-compose.yml", "README.md", ".ci/run"):
        assert (REPO / name).is_file(), name


def test_import_platform_from_the_repository_root_is_the_standard_library() -> None:
    code = "import platform, uuid; print(platform.__file__); print(platform.python_version())"
    env = {"PYTHONPATH": f"{REPO}:{REPO / 'platform'}", "PATH": "/usr/bin:/bin"}
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, env=env, capture_output=True, text=True, check=True
    )
    module_file = Path(result.stdout.splitlines()[0]).resolve()
    assert module_file.parent == Path(sysconfig.get_paths()["stdlib"]).resolve()
    assert result.stdout.splitlines()[1].startswith("3.")


def test_readme_starts_with_the_two_commands_and_ci_runs_the_second() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    blocks = readme.split("```")
    commands = [
        line for line in blocks[1].splitlines() if line.strip() and not line.startswith("#")
    ]
    assert len(commands) == 2, commands
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    assert commands[1].strip() in ci
