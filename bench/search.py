"""Benchmark the search on a national-scale corpus.

Generates a corpus with :mod:`bench.gen_corpus` (1,000 municipalities × 30
entries + 500 national, 8 languages) into a temporary directory, or uses
``--content DIR``; loads it, builds the :class:`bot.search.query.SearchIndex` and
prints the build time, the resident memory after the build and the latency of
10,000 mixed queries (8 languages, typos, stopwords, other municipalities
named), each next to its target from the search issue.

Usage::

    .venv/bin/python -m bench.search [--content DIR] [--queries 10000] [--seed 1]
"""

from __future__ import annotations

import argparse
import ctypes
import datetime as dt
import gc
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

import psutil

from bench.gen_corpus import LANGS, Corpus, generate
from bot.content.load import load_content
from bot.search.query import SearchIndex

TARGET_BUILD_S = 15.0
TARGET_P99_MS = 5.0
TARGET_RSS_MB = 1024.0

#: Words a question starts with, per language (dropped as stopwords by the search).
LEADS = {
    "de": ["wo gibt es", "ich suche", "wo kann ich"],
    "en": ["where can i find", "i need", "where is"],
    "fr": ["où trouver", "je cherche", "où est"],
    "ar": ["أين", "أريد", "أين أجد"],
    "uk": ["де", "мені потрібно", "де можна"],
    "ru": ["где", "мне нужно", "где можно"],
    "tr": ["nerede", "istiyorum", ""],
    "fa": ["کجا", "میخواهم", ""],
}
IN = {"de": "in", "en": "in", "fr": "à", "ar": "في", "uk": "у", "ru": "в", "tr": "", "fa": "در"}


def typo(word: str, rng: random.Random) -> str:
    """One random slip: a letter dropped, doubled, swapped with the next, or replaced."""
    if len(word) < 5:
        return word
    i = rng.randrange(1, len(word) - 1)
    kind = rng.randrange(4)
    if kind == 0:
        return word[:i] + word[i + 1 :]
    if kind == 1:
        return word[:i] + word[i] + word[i:]
    if kind == 2:
        return word[:i] + word[i + 1] + word[i] + word[i + 2 :]
    return word[:i] + rng.choice("aeiounrst") + word[i + 1 :]


def make_queries(corpus: Corpus, n: int, seed: int) -> list[tuple[str, str, str]]:
    """``n`` queries as (text, language, municipality id): a topic, maybe a
    qualifier, maybe a typo, maybe a lead-in question and another municipality."""
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        lang = rng.choice(corpus.languages)
        i = LANGS.index(lang)
        place = rng.choice(corpus.municipalities)
        topic = rng.choice(rng.choice(corpus.topics))[i]
        words = topic.split()
        if rng.random() < 0.3:
            words += rng.choice(corpus.qualifiers)[i].split()
        if rng.random() < 0.3:
            k = rng.randrange(len(words))
            words[k] = typo(words[k], rng)
        if rng.random() < 0.4:
            words = LEADS[lang][rng.randrange(3)].split() + words
        if rng.random() < 0.1:
            other = rng.choice(corpus.municipalities)
            words += [IN[lang], other.names[lang]]
        out.append((" ".join(w for w in words if w), lang, place.id))
    return out


def _malloc_trim() -> bool:
    try:
        return bool(ctypes.CDLL("libc.so.6").malloc_trim(0) or True)
    except (OSError, AttributeError):
        return False


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="search benchmark")
    parser.add_argument("--content", type=Path, help="use this content directory")
    parser.add_argument("--queries", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    proc = psutil.Process()

    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        # With --content the generated corpus only supplies query words: keep it small.
        size = 50 if args.content else 1000
        corpus = generate(Path(tmp) / "content", municipalities=size, seed=args.seed)
        if args.content:
            path = args.content
        else:
            path = corpus.path
            print(f"generated corpus in {time.perf_counter() - start:.1f} s")
        start = time.perf_counter()
        content = load_content(path)
        print(
            f"loaded {len(content.entries)} entries, {len(content.places)} municipalities "
            f"in {time.perf_counter() - start:.1f} s (loader, not part of the targets)"
        )
    gc.collect()
    rss_peak = proc.memory_info().rss / 2**20
    # The loader's temporary YAML trees leave freed memory the allocator keeps;
    # hand it back so the figure shows what the running bot holds.
    trimmed = _malloc_trim()
    rss_loaded = proc.memory_info().rss / 2**20
    start = time.perf_counter()
    index = SearchIndex(content)
    build_s = time.perf_counter() - start
    gc.collect()
    rss = proc.memory_info().rss / 2**20

    if args.content:  # queries in the generated vocabulary, at this content's places
        mids = list(content.places)
        queries = [(q, lang, random.Random(k).choice(mids)) for k, (q, lang, _) in enumerate(
            make_queries(corpus, args.queries, args.seed)
        )]  # fmt: skip
    else:
        queries = make_queries(corpus, args.queries, args.seed)
    today = dt.date(2026, 1, 15)
    times = []
    empty = 0
    for text, lang, mid in queries:
        t0 = time.perf_counter()
        result = index.search(text, lang, mid, today)
        times.append((time.perf_counter() - t0) * 1000)
        empty += not result.hits
    times.sort()
    p50 = statistics.median(times)
    p99 = times[int(len(times) * 0.99) - 1]

    def line(label: str, value: float, unit: str, target: float) -> str:
        verdict = "ok" if value <= target else "OVER TARGET"
        return f"{label:<28}{value:10.2f} {unit:<3} (target ≤ {target:g} {unit}) {verdict}"

    print(line("index build", build_s, "s", TARGET_BUILD_S))
    print(line("RSS after build", rss, "MB", TARGET_RSS_MB))
    print(f"{'  of which the index':<28}{rss - rss_loaded:10.2f} MB")
    print(
        f"{'  RSS after loading':<28}{rss_peak:10.2f} MB "
        f"(before {'malloc_trim' if trimmed else 'any trim: not available'})"
    )
    print(f"{'query latency p50':<28}{p50:10.3f} ms")
    print(line("query latency p99", p99, "ms", TARGET_P99_MS))
    print(f"{'query latency max':<28}{times[-1]:10.3f} ms")
    print(f"{len(queries)} queries, {empty} without any hit")
    ok = build_s <= TARGET_BUILD_S and p99 <= TARGET_P99_MS and rss <= TARGET_RSS_MB
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
