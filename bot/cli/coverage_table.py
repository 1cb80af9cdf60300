"""The tables `newcomer-bot coverage` prints: per group of entries complete /
outdated / missing per language, per group of events translated / missing."""

from __future__ import annotations

from bot.editing.coverage import EVENT_STATUSES, STATUSES


def _language_name(lang: str) -> str:
    from bot.i18n import display_name

    return display_name(lang, "en")


def _label_width(groups) -> int:
    """Width of the language column: 20, or the longest "code name" (ku Kurdish (Kurmanji))."""
    langs = {lang for group in groups.values() for lang in group.languages}
    return max([20, *(len(f"{lang} {_language_name(lang)}") for lang in langs)])


def format_coverage(groups, details: bool = False) -> str:
    """The coverage table as text: per group a header, then one row per language
    with the number of complete / outdated / missing entries."""
    lines: list[str] = []
    width = _label_width(groups)
    for group in groups.values():
        lines.append(
            f"{group.name} — {len(group.entry_ids)} entries, source language "
            f"{group.source_language} ({_language_name(group.source_language)})"
        )
        lines.append(f"  {'language':<{width}} {'complete':>8} {'outdated':>8} {'missing':>8}")
        for lang, cells in group.languages.items():
            counts = group.counts(lang)
            label = f"{lang} {_language_name(lang)}"
            lines.append(
                f"  {label:<{width}} {counts['complete']:>8} {counts['outdated']:>8} "
                f"{counts['missing']:>8}"
            )
            if details:
                for state in STATUSES:
                    if cells[state]:
                        lines.append(f"      {state + ':':<10} {', '.join(cells[state])}")
        lines.append("")
    return "\n".join(lines).rstrip("\n") + "\n"


def format_event_coverage(groups, details: bool = False) -> str:
    """The events' table as text: per group a header, then one row per language with
    the number of events translated / missing (no title, or no summary)."""
    lines: list[str] = []
    width = _label_width(groups)
    for group in groups.values():
        count = len(group.event_ids)
        lines.append(f"events in {group.name} — {count} event{'s' if count != 1 else ''}")
        lines.append(f"  {'language':<{width}} {'translated':>10} {'missing':>8}")
        for lang, cells in group.languages.items():
            counts = group.counts(lang)
            label = f"{lang} {_language_name(lang)}"
            lines.append(f"  {label:<{width}} {counts['translated']:>10} {counts['missing']:>8}")
            if details:
                for state in EVENT_STATUSES:
                    if cells[state]:
                        lines.append(f"      {state + ':':<12} {', '.join(cells[state])}")
        lines.append("")
    return "\n".join(lines).rstrip("\n") + "\n" if lines else ""
