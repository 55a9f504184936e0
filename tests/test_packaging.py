"""Packaging people can trust: the licence the metadata claims
is in the tree, the classifiers say what is supported, and CI installs
pinned versions of every dependency."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]


def _name(requirement: str) -> str:
    return re.split(r"[<>=!~\[; ]", requirement, maxsplit=1)[0].lower().replace("_", "-")


def test_the_license_file_is_the_mit_license_the_metadata_names():
    assert PROJECT["license"] == "MIT" and PROJECT["license-files"] == ["LICENSE"]  # SPDX (no licence classifier)
    text = (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert text.startswith("MIT License") and "THE SOFTWARE IS PROVIDED \"AS IS\"" in text


def test_classifiers_name_the_supported_systems_and_pythons():
    classifiers = set(PROJECT["classifiers"])
    assert {"Operating System :: POSIX :: Linux", "Operating System :: MacOS", "Operating System :: Microsoft :: Windows"} <= classifiers
    assert "Programming Language :: Python :: 3.11" in classifiers and PROJECT["requires-python"] == ">=3.11"
    assert PROJECT["urls"]["Homepage"].startswith("https://")


def test_ci_installs_every_dependency_at_a_pinned_version():
    pins = {}
    for line in (ROOT / ".ci" / "constraints.txt").read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            name, _, version = line.partition("==")
            pins[_name(name)] = version
    wanted = [*PROJECT["dependencies"], *PROJECT["optional-dependencies"]["test"]]
    assert [_name(r) for r in wanted if _name(r) not in pins] == []
    assert all(re.fullmatch(r"[0-9][0-9A-Za-z.+-]*", v) for v in pins.values())
    assert "-c .ci/constraints.txt" in (ROOT / ".ci" / "run").read_text(encoding="utf-8")


def test_there_is_a_changelog_with_an_entry_for_the_version():
    from nemochat import __version__

    text = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    assert "## Unreleased" in text and f"## {__version__} (" in text
