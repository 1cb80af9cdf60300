"""Writing imported events: the calendar's files replace the ones it wrote before,
all at once.

The new ``events/`` folder is built beside the old one (a hidden folder the
loader does not read), then swapped in with two renames; the old one is kept
until the caller has checked the content, so a refused import can be undone
(:func:`restore`). Files that did not come from this calendar are copied
unchanged; texts editors added in other languages are kept.
"""

from __future__ import annotations

import dataclasses
import os
import re
import shutil
import tempfile
from pathlib import Path
from typing import Any

import yaml

try:  # libyaml: ten times faster for thousands of files
    from yaml import CSafeDumper as _Dumper
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - PyYAML without libyaml
    from yaml import SafeDumper as _Dumper  # type: ignore[assignment]
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]


_IMPORTED = re.compile(rb"^uid:", re.MULTILINE)
_FROM = re.compile(rb"^calendar:", re.MULTILINE)


@dataclasses.dataclass
class ImportReport:
    created: list[str] = dataclasses.field(default_factory=list)
    updated: list[str] = dataclasses.field(default_factory=list)
    unchanged: list[str] = dataclasses.field(default_factory=list)
    removed: list[str] = dataclasses.field(default_factory=list)

    def summary(self) -> str:
        return (
            f"{len(self.created)} new, {len(self.updated)} updated, "
            f"{len(self.unchanged)} unchanged, {len(self.removed)} removed"
        )


def _dump(event: dict[str, Any]) -> str:
    header = (
        f"# Imported by `newcomer-bot import-ical` from {event.get('calendar')}.\n"
        "# The next import overwrites the calendar's fields; translations added here are kept.\n"
    )
    return header + yaml.dump(
        event, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=1000
    )


def _existing(folder: Path) -> dict[str, tuple[dict[str, Any] | None, bytes]]:
    """The YAML files in ``folder``: name → (parsed data or None, raw bytes)."""
    found: dict[str, tuple[dict[str, Any] | None, bytes]] = {}
    if not folder.is_dir():
        return found
    for path in sorted(folder.iterdir()):
        if not path.is_file() or path.is_symlink():
            continue
        raw = path.read_bytes()
        data = None
        if _IMPORTED.search(raw) and _FROM.search(raw):  # imported: parsed; others copied
            # The content loaded just before (its checks refuse files too deep for libyaml).
            try:
                data = yaml.load(raw, Loader=_Loader)
            except yaml.YAMLError:
                data = None
        found[path.name] = (data if isinstance(data, dict) else None, raw)
    return found


def _keep(old: Path, new: Path, raw: bytes) -> None:
    """``old`` unchanged in the new folder: a hard link (no copy), else a copy."""
    try:
        os.link(old, new)
    except OSError:
        new.write_bytes(raw)


def _merge_translations(new: dict[str, Any], old: dict[str, Any] | None, lang: str) -> None:
    """Keep the texts editors added in other languages than the calendar's."""
    if not old:
        return
    for field in ("title", "summary", "keywords"):
        kept = {k: v for k, v in (old.get(field) or {}).items() if k != lang}
        if kept:
            new[field] = {**(new.get(field) or {}), **kept}
    for field in ("languages", "audience", "cost", "registration"):
        if field in old and field not in new:
            new[field] = old[field]


def write_events(
    folder: Path,
    events: dict[str, dict[str, Any]],
    cancelled: set[str],
    calendar_key: str,
    lang: str,
) -> tuple[ImportReport, Path | None]:
    """Make ``folder`` hold the calendar's ``events`` (and every file not from this
    calendar, untouched); build it beside the old one, then swap. Returns the
    report and the old folder, renamed (None if there was none): the caller
    deletes it, or puts it back with :func:`restore`."""
    report = ImportReport()
    existing = _existing(folder)
    parent = folder.parent
    parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".events-import-", dir=parent))
    try:
        for file_name, (data, raw) in existing.items():
            ident = file_name.rsplit(".", 1)[0]
            from_here = (
                data is not None and data.get("calendar") == calendar_key and data.get("uid")
            )
            if from_here and ident not in events:
                report.removed.append(ident)
                continue
            if ident in cancelled and from_here:
                report.removed.append(ident)
                continue
            if ident in events:
                continue
            _keep(folder / file_name, staging / file_name, raw)
        for ident, event in events.items():
            file_name = f"{ident}.yaml"
            old = existing.get(file_name)
            _merge_translations(event, old[0] if old else None, lang)
            text = _dump(event).encode()
            if old is not None and old[1] == text:
                _keep(folder / file_name, staging / file_name, text)
                report.unchanged.append(ident)
                continue
            (staging / file_name).write_bytes(text)
            if old is None:
                report.created.append(ident)
            else:
                report.updated.append(ident)
        old_folder = None
        if folder.exists():
            old_folder = parent / f".events-old-{os.getpid()}-{staging.name[-8:]}"
            folder.rename(old_folder)
        try:
            staging.rename(folder)
        except OSError:
            if old_folder is not None:
                old_folder.rename(folder)
            raise
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)
    return report, old_folder


def restore(folder: Path, backup: Path | None) -> None:
    """Put ``backup`` back as ``folder`` (after an import the content check refused)."""
    if folder.exists():
        shutil.rmtree(folder)
    if backup is not None:
        backup.rename(folder)


def discard(backup: Path | None) -> None:
    if backup is not None:
        shutil.rmtree(backup, ignore_errors=True)
