"""Find the municipality a user means from what they typed.

Two questions, two tools:

* :meth:`PlaceMatcher.match` — the user was asked "where do you live?" and typed
  a name, maybe misspelt, in any script ("Remisch", "Munneref", "ريميش").
  Typos are tolerated (rapidfuzz, normalised Indel similarity).
* :meth:`PlaceMatcher.find_in_question` — a municipality *named* inside a
  longer question ("sport in Remich"). Only whole-word matches of names and
  aliases count (with a one-letter slip on long names), because a question is
  full of words that happen to look like place names (and names that are stop
  words, like the alias "Einen", are not looked for there).
"""

from __future__ import annotations

import dataclasses
import re

from rapidfuzz import fuzz, process
from rapidfuzz.distance import DamerauLevenshtein

from bot.content.store import Content, Place
from bot.search.analysis import STOPWORDS
from bot.search.textnorm import fold, script_of

__all__ = ["PlaceMatcher"]

#: Below this similarity (0..100) a name is not offered: "hello" must not
#: become "Elleng", and a question must not become a municipality.
MIN_SCORE = 80.0

#: Score given when the typed words are the first words of a longer name
#: ("Mondorf" for "Mondorf-les-Bains", "Neustadt" for "Neustadt (Hessen)").
_PREFIX_SCORE = 90.0

#: Letters a Cyrillic case ending adds to a name ("в Ремiху", "до Марбурга").
_CYRILLIC_ENDING = re.compile(r"^(а|у|е|і|и|ом|ем|ові|ою)$")

#: Arabic-script prepositions written as one word with the name: بريميش "in Remich".
_ARABIC_PROCLITICS = ("و", "ب", "ل", "ف", "ك")


@dataclasses.dataclass(frozen=True)
class _Name:
    folded: str
    words: tuple[str, ...]
    place_id: str


class PlaceMatcher:
    """Municipalities of a :class:`~bot.content.store.Content`, searchable by name.

    Every name (all languages) and alias of every municipality is folded with
    :func:`bot.search.textnorm.fold` once, when the matcher is built.
    """

    def __init__(self, content: Content):
        self._places: dict[str, Place] = dict(content.places)
        names: dict[tuple[str, str], _Name] = {}
        for mid, place in self._places.items():
            m = place.municipality
            spellings = [*m.name.values(), *m.aliases, m.id]
            for text in spellings:
                for variant in (text, re.sub(r"\(.*?\)", " ", text)):
                    folded = fold(variant)
                    if folded:
                        names[(folded, mid)] = _Name(folded, tuple(folded.split()), mid)
        self._names = list(names.values())
        self._folded = [n.folded for n in self._names]
        self._squashed = [n.folded.replace(" ", "") for n in self._names]
        # Whole-word lookup for questions: folded word sequence → place id.
        self._phrases: dict[tuple[str, ...], str] = {}
        self._longest = 1
        for name in self._names:
            # Words of one or two letters ("Ahn" is three) are too often
            # ordinary words to be read as a place inside a sentence.
            if len(name.folded.replace(" ", "")) < 3:
                continue
            # Nor is a name that is a stop word ("Einen", Luxembourgish for
            # Ehnen, is German for "a"): "ich suche einen Deutschkurs".
            if all(word in STOPWORDS for word in name.words):
                continue
            self._phrases.setdefault(name.words, name.place_id)
            self._longest = max(self._longest, len(name.words))
        # Single-word names of 7+ letters by length, for the one-slip lookup:
        # a slip changes the length by at most one.
        self._long_single: dict[int, list[str]] = {}
        for words in self._phrases:
            if len(words) == 1 and len(words[0]) >= 7:
                self._long_single.setdefault(len(words[0]), []).append(words[0])
        self._slip_cache: dict[str, str | None] = {}

    def match(self, text: str, limit: int = 3) -> list[tuple[Place, float]]:
        """Municipalities whose name or alias looks like ``text``, best first.

        ``text`` is what the user typed (any language or script); the result
        holds at most ``limit`` ``(Place, score)`` pairs with score 0..100 (100:
        exact after folding), each place once. Empty when nothing scores at
        least :data:`MIN_SCORE`, e.g. for "hello" or a whole question.
        """
        query = fold(text)
        if not query or limit <= 0:
            return []
        best: dict[str, float] = {}

        def offer(index: int, score: float) -> None:
            pid = self._names[index].place_id
            if score > best.get(pid, 0.0):
                best[pid] = score

        for _, score, index in process.extract(
            query, self._folded, scorer=fuzz.ratio, score_cutoff=MIN_SCORE, limit=None
        ):
            offer(index, score)
        squashed = query.replace(" ", "")
        if squashed != query:
            for _, score, index in process.extract(
                squashed, self._squashed, scorer=fuzz.ratio, score_cutoff=MIN_SCORE, limit=None
            ):
                offer(index, score)
        # The first words of a longer name, each allowing a small typo.
        words = query.split()
        if len(squashed) >= 4:
            for index, name in enumerate(self._names):
                if len(name.words) > len(words) and all(
                    fuzz.ratio(a, b) >= 85 for a, b in zip(words, name.words, strict=False)
                ):
                    similarity = fuzz.ratio(query, " ".join(name.words[: len(words)]))
                    offer(index, _PREFIX_SCORE * similarity / 100)
        ranked = sorted(best.items(), key=lambda kv: (-kv[1], kv[0]))
        return [(self._places[pid], round(score, 1)) for pid, score in ranked[:limit]]

    def find_in_question(self, text: str) -> Place | None:
        """The municipality named in a question such as "sport in Remich", or None.

        Looks for a name or alias as whole words of ``text`` (after folding);
        also accepts a Cyrillic case ending ("в Ремiху"), an Arabic-script
        preposition written onto the name ("بريميش") and one slipped letter in
        names of seven letters or more. The longest name found wins.
        """
        found = self.locate(fold(text).split())
        return self._places[found[0]] if found else None

    def locate(self, words: list[str]) -> tuple[str, int, int] | None:
        """Find a municipality in already folded ``words``.

        Returns ``(municipality id, start, end)`` where ``words[start:end]`` name
        it, or None. Used by the search to drop the place from the query.
        """
        best: tuple[str, int, int] | None = None
        for start in range(len(words)):
            for size in range(min(self._longest, len(words) - start), 0, -1):
                if best and size <= best[2] - best[1]:
                    break
                pid = self._lookup(tuple(words[start : start + size]))
                if pid:
                    best = (pid, start, start + size)
                    break
        return best

    def _lookup(self, phrase: tuple[str, ...]) -> str | None:
        pid = self._phrases.get(phrase)
        if pid:
            return pid
        *head, last = phrase
        script = script_of(last)
        if script == "cyrillic":
            for cut in (1, 2, 3):
                if len(last) - cut >= 4 and _CYRILLIC_ENDING.match(last[-cut:]):
                    pid = self._phrases.get((*head, last[:-cut]))
                    if pid:
                        return pid
        if script == "arabic" and len(phrase) >= 1:
            first = phrase[0]
            if first[:1] in _ARABIC_PROCLITICS and len(first) > 4:
                pid = self._phrases.get((first[1:], *phrase[1:]))
                if pid:
                    return pid
        if len(phrase) == 1 and len(last) >= 7:
            return self._one_slip(last)
        return None

    def _one_slip(self, word: str) -> str | None:
        if word in self._slip_cache:
            return self._slip_cache[word]
        choices = [
            name for size in (len(word) - 1, len(word), len(word) + 1)
            for name in self._long_single.get(size, ())
        ]  # fmt: skip
        hit = process.extractOne(word, choices, scorer=DamerauLevenshtein.distance, score_cutoff=1)
        pid = self._phrases[(hit[0],)] if hit else None
        if len(self._slip_cache) > 50_000:
            self._slip_cache.clear()
        self._slip_cache[word] = pid
        return pid

    def place(self, municipality_id: str) -> Place | None:
        """The :class:`Place` of a municipality id, or None if unknown."""
        return self._places.get(municipality_id)
