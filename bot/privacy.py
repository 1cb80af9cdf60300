"""Removing what could name a person from text the bot keeps (unanswered questions,
comments on entries).

:func:`scrub` removes e-mail addresses, phone numbers, runs of 5 or more digits,
names introduced as such ("my name is …", "je m'appelle …", "اسمي …", "меня зовут …",
"ስመይ …", … in the bot's languages) and addresses introduced as such ("my address
is …", "I live at <street> <number>"). It is a plain function: any string in, a
string out, never an exception.

What it cannot do: find a name that is not introduced ("Amina needs a doctor"), or
a name introduced in a way not listed here. The stored text is therefore also
kept short, without a user id and without a time of day (see
:class:`bot.storage.audit.Unanswered`).
"""

from __future__ import annotations

import re

#: What replaces a removed phone number, e-mail address or digit run.
REMOVED = "[…]"
#: What replaces a name introduced as such.
NAME = "[name]"
#: What replaces an address introduced as such.
ADDRESS = "[address]"

_EMAIL = re.compile(r"[^\s@<>]+@[^\s@<>]+\.[^\s@<>]+")
# A phone-like run: at least 6 digits, possibly with spaces, dots, dashes, slashes or
# brackets between them (any script's digits: \d is Unicode-aware for str patterns).
_PHONE = re.compile(r"\+?\(?\d(?:[\s./()\-]{0,3}\d){5,}")
_LONG_DIGITS = re.compile(r"\d{5,}")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\u200b-\u200f\u2028-\u202e\u2066-\u2069\ufeff]")

# Phrases that introduce a name, lower case; a name is the 1-3 words after them. An
# apostrophe may be typed straight or curly.
_NAME_INTROS = (
    # English
    r"my (?:full |first |last |given |family |sur)?name(?: is|'s|:)",
    r"i am called",
    r"i'm called",
    # German, Luxembourgish
    r"ich hei(?:ß|ss)e",
    r"mein (?:vor|nach|ganzer )?name (?:ist|lautet)",
    r"ech hei(?:ß|ss)en",
    r"m[äa]i(?:n|ne) numm (?:ass|as)",
    # French
    r"je m'appelle",
    r"mon (?:pr[ée])?nom (?:est|c'est)",
    r"moi c'est",
    # Spanish, Portuguese, Italian, Romanian
    r"me llamo",
    r"mi nombre es",
    r"(?:o )?meu nome [ée]",
    r"chamo-me",
    r"(?:eu )?me chamo",
    r"mi chiamo",
    r"il mio nome [èe]",
    r"m[ăa] numesc",
    r"numele meu (?:este|e)",
    # Polish, Albanian, Somali
    r"nazywam si[ęe]",
    r"mam na imi[ęe]",
    r"moje imi[ęe] to",
    r"(?:un[ëe] )?quhem",
    r"emri im (?:[ëe]sht[ëe]|është)",
    r"magacaygu(?: waa)?",
    r"magacayga(?: waa)?",
    # Russian, Ukrainian
    r"меня зовут",
    r"мо[её] имя",
    r"мене (?:звати|звуть)",
    r"мо[єе] ім'я",
    r"зовут",
    # Turkish, Kurdish (Kurmanji)
    r"benim ad[ıi]m",
    r"benim ismim",
    r"ismim",
    r"nav[êe] min",
    # Arabic, Persian/Dari, Pashto, Urdu, Sorani
    r"و?[اإ]سمي",
    r"[اإ]سم من",
    r"[اإ]سمم",
    r"نام من",
    r"نامم",
    r"زما نوم",
    r"نوم مې",
    r"میرا نام",
    r"ناوم",
    r"ناوی من",
    # Amharic, Tigrinya
    r"ስሜ",
    r"ስመይ",
    r"ሽመይ",
)
# "adım" alone also means "step" in Turkish: only at the start of a sentence.
_NAME_INTRO = re.compile(
    r"(?:(?<![\w'’])(?:"
    + "|".join(i.replace("'", "['’]") for i in _NAME_INTROS)
    + r")|(?:^|(?<=[.!?,;:]\s)|(?<=[.!?,;:]))ad[ıi]m)"
    r"(?=[\s:,\-–—]*[^\W\d_])[\s:,\-–—]*",
    re.IGNORECASE,
)
_ADDRESS_INTRO = re.compile(
    r"(?<![\w'’])(?:my address is|my address:|i live (?:at|in|on)|meine adresse (?:ist|lautet)|"
    r"ich wohne in(?: der)?|mon adresse (?:est|c'est)|j'habite(?: au| à| a| rue)?|"
    r"мой адрес|я живу на|моя адреса|я живу на|adresim|عنواني|آدرس من)"
    r"[\s:,\-–—]*",
    re.IGNORECASE,
)
# A word of a name: letters and marks, with apostrophes or hyphens inside.
_WORD = re.compile(r"[^\W\d_](?:[\w'’\-]*[^\W_])?")
# Words that end a name: "and", "I", copulas ("… است", "… ነው"), a few others.
_STOP = frozenset(
    [
        "and",
        "i",
        "i'm",
        "im",
        "but",
        "from",
        "in",
        "at",
        "with",
        "und",
        "ich",
        "aber",
        "aus",
        "bei",
        "mit",
        "et",
        "je",
        "mais",
        "y",
        "yo",
        "pero",
        "e",
        "eu",
        "mas",
        "a",
        "o",
        "ve",
        "ben",
        "ama",
        "и",
        "я",
        "а",
        "но",
        "і",
        "та",
        "але",
        "ja",
        "oraz",
        "dhe",
        "unë",
        "waa",
        "oo",
        "iyo",
        "و",
        "أنا",
        "انا",
        "من",
        "است",
        "هست",
        "هستم",
        "می\u200cباشد",
        "میباشد",
        "دی",
        "ده",
        "یم",
        "ہے",
        "ہوں",
        "اور",
        "ነው",
        "እዩ",
        "እየ",
        "እና",
        "e",
        "ez",
        "û",
    ]
)
#: Lower-case words inside a capitalised name.
_PARTICLES = frozenset(
    [
        "de",
        "da",
        "do",
        "dos",
        "das",
        "du",
        "del",
        "della",
        "di",
        "van",
        "von",
        "der",
        "den",
        "al",
        "el",
        "bin",
        "ibn",
        "ben",
        "bint",
        "le",
        "la",
    ]
)
_SEPARATORS = re.compile(r"\s+")


def _name_end(text: str, start: int, limit: int = 3) -> int:
    """Where the name that starts at ``start`` ends: up to ``limit`` words, not past
    punctuation or a word of :data:`_STOP`; after a capitalised first word, only
    capitalised words follow (a name written "Amina Karimi", not "Amina needs"),
    with particles between them ("Maria de Souza")."""
    end = position = start
    capitalised: bool | None = None
    words = 0
    while words < limit:
        if words:
            gap = _SEPARATORS.match(text, position)
            if gap is None:
                break
            position = gap.end()
        word = _WORD.match(text, position)
        if word is None:
            break
        token = word.group()
        lower = token.lower()
        if words and capitalised and lower in _PARTICLES:
            position = word.end()  # kept only if a capitalised word follows
            continue
        if words and lower in _STOP:
            break
        if words == 0:
            capitalised = token[0].isupper()
        elif capitalised and not token[0].isupper():
            break
        end = position = word.end()
        words += 1
    return end


def remove_names(text: str) -> str:
    """``text`` with each name introduced as such replaced by :data:`NAME`."""
    out: list[str] = []
    position = 0
    while True:
        found = _NAME_INTRO.search(text, position)
        if found is None:
            break
        end = _name_end(text, found.end())
        if end == found.end():  # nothing name-like follows
            out.append(text[position : found.end()])
        else:
            out.append(text[position : found.end()] + NAME)
        position = max(end, found.end())
        if position >= len(text):
            break
    out.append(text[position:])
    return "".join(out)


def remove_addresses(text: str) -> str:
    """``text`` with an address introduced as such ("my address is …", "I live at
    Rue X 12") replaced by :data:`ADDRESS`: the words up to punctuation, at most 6,
    when they hold a number (a house number) or follow "my address"."""
    out: list[str] = []
    position = 0
    for found in _ADDRESS_INTRO.finditer(text):
        if found.start() < position:
            continue
        rest = text[found.end() :]
        stop = re.search(r"[.,;!?\n]|$", rest)
        words = rest[: stop.start()].split()[:6]
        phrase_end = found.end()
        if words:
            phrase_end = text.index(words[-1], found.end()) + len(words[-1])
        explicit = "address" in found.group().lower() or "adress" in found.group().lower()
        has_number = any(ch.isdigit() for ch in text[found.end() : phrase_end])
        if words and (explicit or has_number):
            out.append(text[position : found.end()] + ADDRESS)
            position = phrase_end
    out.append(text[position:])
    return "".join(out)


def scrub(text: str, max_chars: int = 500) -> str:
    """``text`` without e-mail addresses, phone numbers, runs of 5+ digits, names and
    addresses introduced as such; whitespace collapsed; at most ``max_chars``
    characters (cut with "…")."""
    if not isinstance(text, str):
        return ""
    text = _CONTROL.sub(" ", text)
    text = _EMAIL.sub(REMOVED, text)
    text = _PHONE.sub(REMOVED, text)
    text = _LONG_DIGITS.sub(REMOVED, text)
    text = " ".join(text.split())
    text = remove_addresses(text)
    text = remove_names(text)
    if len(text) > max_chars:
        text = text[: max(max_chars - 1, 0)] + "…"
    return text


def is_empty(scrubbed: str) -> bool:
    """True if nothing but placeholders is left."""
    for placeholder in (REMOVED, NAME, ADDRESS):
        scrubbed = scrubbed.replace(placeholder, "")
    return not scrubbed.strip()
