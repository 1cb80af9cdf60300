"""Print the search quality on tests/search_eval.yaml: per language, and the misses.

Usage::

    .venv/bin/python -m bench.search_eval_report [--content DIR] [--all]
        [--arabic-stemmer light10|snowball]

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
from bot.search import analysis
from bot.search.query import SearchIndex

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
    # The questions are written against the tests' frozen copy of the demo content.
    parser.add_argument("--content", type=Path, default=ROOT / "tests" / "fixtures" / "content")
    parser.add_argument("--all", action="store_true", help="list hits too")
    parser.add_argument(
        "--arabic-stemmer",
        choices=["light10", "snowball"],
        default=analysis.ARABIC_STEMMER,
        help="stemmer for Arabic-script words (to compare them)",
    )
    args = parser.parse_args(argv)
    analysis.ARABIC_STEMMER = args.arabic_stemmer
    ev = _eval_module()
    content = load_content(args.content)
    index = SearchIndex(content)
    outcomes = ev.evaluate(index, ev.load_items())

    by_lang: dict[str, list] = defaultdict(list)
    for outcome in outcomes:
        by_lang[outcome.item["lang"]].append(outcome)

    def rate(group: list) -> str:
        return f"{sum(o.hit for o in group):>4}/{len(group):<4}" + (
            f"{sum(o.hit for o in group) / len(group):>7.1%}" if group else f"{'-':>7}"
        )

    print(f"{'lang':<6}{'top-3 recall':>19}   {'right on negatives':>19}")
    for lang in sorted(by_lang, key=lambda k: -len(by_lang[k])):
        group = by_lang[lang]
        positive = [o for o in group if "negative" not in o.item]
        negative = [o for o in group if "negative" in o.item]
        print(f"{lang:<6}{rate(positive):>19}   {rate(negative):>19}")
    positive = [o for o in outcomes if "negative" not in o.item]
    negative = [o for o in outcomes if "negative" in o.item]
    print(f"{'all':<6}{rate(positive):>19}   {rate(negative):>19}")
    talk = [o for o in outcomes if o.item.get("negative") in ("greeting", "thanks")]
    named = sum(o.kind == o.item["negative"] for o in talk)
    print(f"greetings and thanks recognised as such: {named}/{len(talk)}")
    slowest = max(outcomes, key=lambda o: o.ms)
    print(f"slowest query: {slowest.ms:.2f} ms ({slowest.item['q']!r})")

    print("\nmisses:")
    for o in outcomes:
        if not o.hit:
            wanted = (
                o.item.get("expect")
                or (o.item.get("category") and f"category {o.item['category']}")
                or f"no entries ({o.item.get('negative')})"
            )
            print(f"  [{o.item['lang']}] {o.item['q']!r} @ {o.item['municipality']}")
            print(f"      wanted {wanted}; got {o.top or o.kind}")
    if args.all:
        print("\nhits:")
        for o in outcomes:
            if o.hit:
                print(f"  [{o.item['lang']}] {o.item['q']!r} → {o.top}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
