"""The lock files in requirements/ agree with pyproject.toml and with what is installed.

Every install (`make run`, `make test`, `.ci/run`, the Dockerfile) takes exact versions
from the lock files; pyproject.toml keeps the compatible ranges. When the two disagree
(a dependency added or a range changed without `make lock`), a fresh machine would
install something the tests never saw: these tests fail first.
"""

from __future__ import annotations

import re
import tomllib
from importlib import metadata
from pathlib import Path

import pytest
from packaging.markers import Marker, default_environment
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parent.parent
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;\\]+)\s*(?:;\s*([^\\]+?))?\s*\\?$")


def pins(lock: str) -> dict[str, tuple[str, str | None]]:
    """{canonical name: (version, marker or None)} of a uv/pip-compile lock file.

    A universal lock may pin a package once per Python version (numpy, timezonefinder):
    the pin whose marker holds here wins."""
    out = {}
    for line in (ROOT / "requirements" / lock).read_text("utf-8").splitlines():
        if match := PIN.match(line):
            name = canonicalize_name(match[1])
            if name in out and match[3] and not Marker(match[3]).evaluate():
                continue
            out[name] = (match[2], match[3])
    return out


def project() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["project"]


def closure(requirements: list[Requirement]) -> dict[str, set[str]]:
    """Every distribution the requirements pull in here, with the extras asked of it."""
    env = default_environment()
    wanted: dict[str, set[str]] = {}
    todo = list(requirements)
    while todo:
        req = todo.pop()
        name = canonicalize_name(req.name)
        if name in wanted and req.extras <= wanted[name]:
            continue
        extras = wanted.setdefault(name, set())
        extras |= req.extras
        for text in metadata.requires(req.name) or []:
            sub = Requirement(text)
            if sub.marker is None or any(
                sub.marker.evaluate({**env, "extra": extra}) for extra in extras | {""}
            ):
                todo.append(sub)
    return wanted


@pytest.mark.parametrize(
    ("lock", "groups"), [("run.txt", ()), ("test.txt", ("test",))], ids=["run", "test"]
)
def test_lock_pins_satisfy_pyproject_ranges(lock, groups):
    locked = pins(lock)
    spec = project()
    required = spec["dependencies"] + [r for g in groups for r in spec["optional-dependencies"][g]]
    for text in required:
        req = Requirement(text)
        name = canonicalize_name(req.name)
        assert name in locked, f"{req.name} is in pyproject.toml but not in {lock}: run `make lock`"
        assert req.specifier.contains(locked[name][0], prereleases=True), (
            f"{lock} pins {req.name}=={locked[name][0]}, outside pyproject.toml's "
            f"'{req.specifier}': run `make lock`"
        )


def test_installed_environment_is_the_locked_one():
    """Everything the project pulls in is locked, at the version that is installed."""
    locked = pins("test.txt")
    spec = project()
    required = [
        Requirement(r) for r in spec["dependencies"] + spec["optional-dependencies"]["test"]
    ]
    for name in closure(required):
        assert name in locked, f"{name} is needed but not in requirements/test.txt: run `make lock`"
        assert metadata.version(name) == locked[name][0], (
            f"{name} {metadata.version(name)} is installed, the lock says {locked[name][0]}: "
            "install with `make test` (it installs from requirements/test.txt)"
        )


def test_run_lock_is_the_test_lock_without_test_tools():
    run, test = pins("run.txt"), pins("test.txt")
    assert set(run) < set(test)
    assert {name: test[name] for name in run} == run, "run.txt and test.txt pin different versions"
