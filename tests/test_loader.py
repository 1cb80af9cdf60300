"""The loader's building blocks: how problems read, which line they point at, and
the per-file cache that makes a reload after a small edit fast."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

import bot.content.load.loader as loader_module
from bot.content.load import ContentInvalid, ContentLoader, Problem, load_content
from bot.content.load.lines import line_of
from bot.content.load.yaml_syntax import compose
from tests.conftest import CONTENT as FIXTURE

DEMO = FIXTURE
ENTRIES = Path("regions/miselerland/entries")

ENTRY = """\
id: misel-test
category: counselling
scope: [remich]
title:
  fr: Bureau d'accueil
  en: Welcome desk
summary:
  fr: Un bureau qui aide les nouveaux arrivants.
  en: An office that helps newcomers.
source: "https://www.remich.lu/"
"""


@pytest.fixture
def content(tmp_path: Path) -> Path:
    root = tmp_path / "content"
    shutil.copytree(DEMO, root)
    return root


def problems_of(root: Path, content_loader: ContentLoader | None = None) -> list[str]:
    """Each problem as the editor reads it ([] when the content loads)."""
    try:
        (content_loader or ContentLoader()).load(root)
    except ContentInvalid as exc:
        return [str(p) for p in exc.problems]
    return []


# ------------------------------------------------------------------ formatting


def test_a_problem_reads_file_line_message():
    problem = Problem("content/regions/x/entries/a.yaml", 7, "phone '123' is too short — …")

    assert str(problem) == "content/regions/x/entries/a.yaml:7: phone '123' is too short — …"


def test_problems_are_listed_by_file_then_line():
    error = ContentInvalid(
        [
            Problem("content/b.yaml", 2, "second file"),
            Problem("content/a.yaml", 10, "later line"),
            Problem("content/a.yaml", 9, "earlier line"),
        ]
    )

    assert str(error).splitlines() == [
        "content/a.yaml:9: earlier line",
        "content/a.yaml:10: later line",
        "content/b.yaml:2: second file",
    ]


def test_a_problem_of_the_whole_file_is_on_line_1(content: Path):
    (content / ENTRIES / "misel-test.yaml").write_text("", encoding="utf-8")

    assert problems_of(content) == [
        "content/regions/miselerland/entries/misel-test.yaml:1: the file is empty — write the "
        "content or delete the file"
    ]


# -------------------------------------------------------------------- lines


def test_a_nested_value_is_reported_on_its_own_line(content: Path):
    region = (content / "regions/miselerland/region.yaml").read_text("utf-8")
    # The third municipality's latitude, far down in the file.
    lines = region.splitlines()
    third = [i for i, line in enumerate(lines) if line.startswith("  - id:")][2]
    geo = next(i for i in range(third, len(lines)) if "geo:" in lines[i])
    lines[geo] = "    geo: {lat: 149.5, lon: 6.4}"
    (content / "regions/miselerland/region.yaml").write_text("\n".join(lines) + "\n", "utf-8")

    (problem,) = problems_of(content)

    assert problem.startswith(
        f"content/regions/miselerland/region.yaml:{geo + 1}: municipalities.geo.lat: 149.5 "
    )


@pytest.mark.parametrize(
    ("loc", "line"),
    [
        (("title",), 4),  # a block of lines: the key's line, not its first language
        (("title", "en"), 6),
        (("scope", 1), 3),  # an item of a list written [a, b]
        (("title", "english", "[key]"), 4),  # a key pydantic names '[key]': deepest found
        (("summary",), 1),  # missing: the line of the deepest part found (the file)
        (("scope", "list[constrained-str]", 0), 3),  # pydantic's union branch is skipped
        (("keywords", "en", 0), 11),
    ],
)
def test_line_of_a_pydantic_error_location(loc: tuple, line: int):
    text = """\
id: misel-test
category: counselling
scope: [remich, dalheim]
title:
  fr: Bureau
  en: Desk
keywords:
  fr:
    - bureau
  en:
    - desk
"""
    assert line_of(compose(text), loc) == line


def test_an_alias_points_at_its_use_not_at_its_anchor():
    text = "words: &w [a, b]\nid: x\nkeywords:\n  en: *w\n"

    assert line_of(compose(text), ("keywords", "en", 0)) == 4


# -------------------------------------------------------------------- cache


@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """Entry files the loader reads from disk, in order."""
    seen: list[Path] = []
    real = loader_module.read_yaml

    def spy(path: Path, out):
        if path.parent.name == "entries":
            seen.append(path)
        return real(path, out)

    monkeypatch.setattr(loader_module, "read_yaml", spy)
    return seen


def test_a_reload_rereads_only_the_file_that_changed(content: Path, reads: list[Path]):
    content_loader = ContentLoader()
    first = content_loader.load(content)
    assert len(reads) == len(first.entries)
    touched = content / ENTRIES / "misel-oscr.yaml"
    text = touched.read_text("utf-8")
    touched.write_text(text.replace("cost: free", "cost: reduced"), "utf-8")
    stat = touched.stat()
    os.utime(touched, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    reads.clear()

    second = content_loader.load(content)

    assert reads == [touched]
    assert second.entries["misel-oscr"].cost == "reduced"
    assert second.entries.keys() == first.entries.keys()


def test_a_deleted_file_removes_its_entry(content: Path):
    content_loader = ContentLoader()
    assert "misel-walk-and-talk" in content_loader.load(content).entries

    (content / ENTRIES / "misel-walk-and-talk.yaml").unlink()

    assert "misel-walk-and-talk" not in content_loader.load(content).entries


def test_a_broken_file_stays_reported_until_it_is_fixed(content: Path, reads: list[Path]):
    content_loader = ContentLoader()
    path = content / ENTRIES / "misel-test.yaml"
    path.write_text(ENTRY + 'phone: "123"\n', "utf-8")
    problem = "content/regions/miselerland/entries/misel-test.yaml:11: phone: '123' is too short"
    assert problems_of(content, content_loader)[0].startswith(problem)
    reads.clear()

    # Nothing changed: the problem comes from the cache, without reading the file.
    assert problems_of(content, content_loader)[0].startswith(problem)
    assert reads == []

    path.write_text(ENTRY + 'phone: "+352 23 66 01"\n', "utf-8")

    assert problems_of(content, content_loader) == []
    assert content_loader.load(content).entries["misel-test"].phone == "+352 23 66 01"


def test_load_content_reads_everything_afresh(content: Path):
    (content / ENTRIES / "misel-test.yaml").write_text(ENTRY, "utf-8")

    assert "misel-test" in load_content(content).entries
