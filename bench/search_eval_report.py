"""Print the search quality on tests/search_eval.yaml: per language, and the misses.

Usage::

    .venv/bin/python -m bench.search_eval_report [--content DIR] [--all]

``--all`` also lists the hits with their top results. The evaluation itself
lives in ``tests/test_search_eval.py`` (the test asserts the overall rate);
this script only reports it in detail.
"""

from __future__ import annotations

import argparse
import importlib.util
import sys
from collections import defaultdict
from pathlib import Path

from bot.content.load import load_content
from bot.search.index import SearchIndex

ROOT = Path(__file__).resolve().parent.parent


def _eval_module():
    path = ROOT / "tests" / "test_search_eval.py"
    spec = importlib.util.spec_from_file_location("search_eval", path)
    module = importlib.util.module_from_spec(spec)
    assert spec.loader is not None
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="search quality report")
    parser.add_argument("--content", type=Path, default=ROOT / "content")
    parser.add_argument("--all", action="store_true", help="list hits too")
    args = parser.parse_args(argv)
    ev = _eval_module()
    content = load_content(args.content)
    index = SearchIndex(content)
    outcomes = ev.evaluate(index, ev.load_items())

    by_lang: dict[str, list] = defaultdict(list)
    for outcome in outcomes:
        by_lang[outcome.item["lang"]].append(outcome)
    print(f"{'lang':<6}{'hits':>6}{'of':>5}{'rate':>8}")
    for lang in sorted(by_lang, key=lambda k: -len(by_lang[k])):
        group = by_lang[lang]
        hits = sum(o.hit for o in group)
        print(f"{lang:<6}{hits:>6}{len(group):>5}{hits / len(group):>8.1%}")
    hits = sum(o.hit for o in outcomes)
    print(f"{'all':<6}{hits:>6}{len(outcomes):>5}{hits / len(outcomes):>8.1%}")
    slowest = max(outcomes, key=lambda o: o.ms)
    print(f"slowest query: {slowest.ms:.2f} ms ({slowest.item['q']!r})")

    print("\nmisses:")
    for o in outcomes:
        if not o.hit:
            wanted = o.item.get("expect") or f"category {o.item['category']}"
            print(f"  [{o.item['lang']}] {o.item['q']!r} @ {o.item['municipality']}")
            print(f"      wanted {wanted}; got {o.top}")
    if args.all:
        print("\nhits:")
        for o in outcomes:
            if o.hit:
                print(f"  [{o.item['lang']}] {o.item['q']!r} → {o.top}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
