"""What the bot keeps of what newcomers write: scrubbed, without a user id, by day."""

from __future__ import annotations

import datetime as dt
import re
import sqlite3

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.i18n import LANGUAGES, translator
from bot.privacy import _PARTICLES, _STOP, ADDRESS, NAME, REMOVED, is_empty, scrub
from bot.storage import Storage, migrations
from bot.telegram.commands import ROLE_COMMANDS, STAFF_COMMANDS
from tests.conftest import clock, last_text, staffed_sandbox


@pytest.mark.parametrize(
    ("text", "kept"),
    [
        (
            "my phone is +352 621 999 888 and my name is Amina",
            "my phone is […] and my name is [name]",
        ),
        ("My name is Amina Karimi and I need a doctor", "My name is [name] and I need a doctor"),
        ("my name is amina karimi, where is a doctor", "my name is [name], where is a doctor"),
        ("I am called Ali. Where is the school?", "I am called [name]. Where is the school?"),
        (
            "je m'appelle Jean-Pierre, je cherche un cours",
            "je m'appelle [name], je cherche un cours",
        ),
        ("Je m’appelle Awa et je cherche", "Je m’appelle [name] et je cherche"),
        ("mon nom est Diallo.", "mon nom est [name]."),
        ("Ich heiße Salim und suche Arbeit", "Ich heiße [name] und suche Arbeit"),
        ("Mein Name ist Petra Müller", "Mein Name ist [name]"),
        ("اسمي أمينة. أين الطبيب؟", "اسمي [name]. أين الطبيب؟"),
        ("نام من علی رضایی است و دنبال دکتر هستم", "نام من [name] است و دنبال دکتر هستم"),
        ("اسم من زهرا است", "اسم من [name] است"),
        ("нامم".replace("н", "ن") + " مریم است", "نامم [name] است"),
        ("меня зовут Амина, где врач", "меня зовут [name], где врач"),
        ("Мене звати Оксана і я шукаю роботу", "Мене звати [name] і я шукаю роботу"),
        ("benim adım Ahmet ve doktor arıyorum", "benim adım [name] ve doktor arıyorum"),
        ("Adım Ahmet. Doktor lazım", "Adım [name]. Doktor lazım"),
        ("o meu nome é Maria de Souza e preciso", "o meu nome é [name] e preciso"),
        ("chamo-me Ana", "chamo-me [name]"),
        ("زما نوم احمد دی", "زما نوم [name] دی"),
        ("ስመይ ሳምሶን እዩ", "ስመይ [name] እዩ"),
        ("I live at Rue de la Gare 12, need help", "I live at [address], need help"),
        ("my address is 5 Main Street", "my address is [address]"),
        ("write to amina.k@example.lu please", "write to […] please"),
        ("case 1234567", "case […]"),
    ],
)
def test_scrub_removes_contacts_names_and_addresses(text, kept):
    assert scrub(text) == kept


@pytest.mark.parametrize(
    "text",
    [
        "I'm looking for a German course",
        "I am looking for a doctor",
        "ilk adım nedir",  # "the first step": not a name
        "I live in Remich and need a course",
        "where can I learn French",
        "my name",
        "Kurs B1 ab 12 Uhr",
    ],
)
def test_scrub_keeps_ordinary_questions(text):
    assert scrub(text) == text


def test_scrub_cuts_long_text_and_knows_when_nothing_is_left():
    assert len(scrub("a" * 1000, 200)) == 200
    assert is_empty(scrub("+352 621 999 888 amina@example.lu"))
    assert not is_empty(scrub("my name is Amina"))
    assert scrub("my name is [name]") == "my name is [name]", "scrubbing again changes nothing"


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=400), st.integers(min_value=0, max_value=600))
def test_scrub_never_raises_and_respects_the_length(text, limit):
    kept = scrub(text, limit)
    assert isinstance(kept, str)
    assert len(kept) <= max(limit, 1)


INTROS = {
    "latin": [
        "my name is", "My name is", "I am called", "je m'appelle", "mon nom est",
        "ich heiße", "mein Name ist", "benim adım", "o meu nome é", "chamo-me",
        "me llamo", "mi chiamo", "nazywam się", "magacaygu waa", "navê min",
    ],
    "cyrillic": ["меня зовут", "Меня зовут", "мене звати", "моё имя"],
    "arabic": ["اسمي", "اسم من", "نامم", "زما نوم", "میرا نام", "ناوم"],
    "ethiopic": ["ስመይ", "ስሜ"],
}  # fmt: skip
LETTERS = {
    "latin": "abcdefghijklmnopqrstuvwxyzéüöçşğı",
    "cyrillic": "абвгдежзийклмнопрстуфхцчшщыэюяіє",
    "arabic": "بتثجحخدذرزسشصضطظعغفقكلمنهيپچژگ",
    "ethiopic": "ሀለሐመሠረሰሸቀበተቸኀነኘአከኸወዐዘዠየደጀገጠጨጰጸፀፈፐ",
}
PREFIXES = ["", "Hello, ", "help please. ", "zzqx. "]
SUFFIXES = ["", ".", ", where is the doctor?", " and I need a course", "! Kurs?", " — thanks"]


@st.composite
def introduced(draw):
    script = draw(st.sampled_from(sorted(INTROS)))
    intro = draw(st.sampled_from(INTROS[script]))
    ordinary = _STOP | _PARTICLES  # "and", "de", ...: not names
    word = st.text(alphabet=LETTERS[script], min_size=2, max_size=10).filter(
        lambda w: w.lower() not in ordinary and (w[0].upper() + w[1:]).lower() not in ordinary
    )
    words = draw(st.lists(word, min_size=1, max_size=3))
    if script in ("latin", "cyrillic") and draw(st.booleans()):
        words = [w[0].upper() + w[1:] for w in words]
    phone = "+352 " + " ".join(
        draw(st.lists(st.from_regex(r"\A[0-9]{3}\Z"), min_size=3, max_size=4))
    )
    local = draw(st.text(alphabet="abcdefghijklmnopqrstuvwxyz.", min_size=1, max_size=12))
    email = f"{local.strip('.') or 'x'}@example.lu"
    prefix, suffix = draw(st.sampled_from(PREFIXES)), draw(st.sampled_from(SUFFIXES))
    order = draw(st.permutations([f"{intro} {' '.join(words)}{suffix}", phone, email]))
    return prefix + " ".join(order), words, phone, email, f"{prefix} {intro} {suffix}"


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(introduced())
def test_inserted_names_phones_and_emails_never_come_out(example):
    text, words, phone, email, frame = example
    kept = scrub(text)
    assert phone not in kept and email not in kept
    assert not re.search(r"\d{5}", kept)
    for word in words:
        if word.lower() in frame.lower():
            continue  # an ordinary word that happens to be generated; not a name test
        assert not re.search(rf"(?<!\w){re.escape(word)}(?!\w)", kept), (text, kept)
    assert NAME in kept


async def test_unanswered_questions_keep_the_day_only_and_no_user(tmp_path):
    moment = dt.datetime(2026, 11, 23, 17, 42, 9, tzinfo=dt.UTC)
    storage = await Storage.open(tmp_path / "bot.sqlite3", clock=moment.timestamp)
    try:
        await storage.record_unanswered("my name is Amina, +352 621 999 888 zzqx", "ar", "remich")
        await storage.record_unanswered("+352 621 999 888", "ar", "remich")  # nothing left
        async with storage.db.execute("SELECT * FROM unanswered") as cur:
            rows = [dict(r) for r in await cur.fetchall()]
        assert len(rows) == 1
        assert set(rows[0]) == {"id", "query", "language", "municipality", "day"}
        assert rows[0]["day"] == "2026-11-23"
        assert rows[0]["query"] == "my name is [name], […] zzqx"
        assert await storage.gaps(1) == [("ar", "remich", "my name is [name], […] zzqx", 1)]
    finally:
        await storage.close()


async def test_unanswered_questions_expire_after_90_days_by_day(tmp_path):
    now = dt.datetime(2026, 11, 23, 12, tzinfo=dt.UTC)
    storage = await Storage.open(tmp_path / "bot.sqlite3", clock=now.timestamp)
    try:
        for age in (0, 90, 91):
            day = (now.date() - dt.timedelta(days=age)).isoformat()
            await storage.db.execute(
                "INSERT INTO unanswered (query, language, municipality, day) VALUES (?, ?, ?, ?)",
                (f"q{age}", "de", "remich", day),
            )
        assert await storage.expire_unanswered() == 1
        async with storage.db.execute("SELECT query FROM unanswered ORDER BY query") as cur:
            assert [r[0] for r in await cur.fetchall()] == ["q0", "q90"]
    finally:
        await storage.close()


async def test_existing_questions_are_converted_to_days_and_scrubbed(tmp_path):
    """A database of schema 4 (exact times, names in the text) keeps its questions."""
    path = tmp_path / "old.sqlite3"
    old = sqlite3.connect(path)
    for number, script in enumerate(migrations.MIGRATIONS[:4], start=1):
        old.executescript(f"BEGIN;\n{script}\nPRAGMA user_version = {number};\nCOMMIT;")
    asked = [
        ("Ich heiße Salim, wo ist der Arzt?", "de", "remich", 1_795_000_000),  # 2026-11-18
        ("velo reparatur", "de", "remich", 1_795_080_000),  # 2026-11-19 06:40
        ("velo reparatur", "de", None, 1_795_090_000),
    ]
    old.executemany(
        "INSERT INTO unanswered (query, language, municipality, created_at) VALUES (?, ?, ?, ?)",
        asked,
    )
    old.commit()
    old.close()
    storage = await Storage.open(path, clock=lambda: 1_795_100_000.0)
    try:
        async with storage.db.execute(
            "SELECT query, language, municipality, day FROM unanswered "
            "ORDER BY day, query, municipality"
        ) as cur:
            rows = [tuple(r) for r in await cur.fetchall()]
        assert rows == [
            ("Ich heiße [name], wo ist der Arzt?", "de", "remich", "2026-11-18"),
            ("velo reparatur", "de", None, "2026-11-19"),
            ("velo reparatur", "de", "remich", "2026-11-19"),
        ]
        assert await migrations.schema_version(storage.connection) == len(migrations.MIGRATIONS)
    finally:
        await storage.close()
    again = await Storage.open(path)  # opening again migrates nothing and loses nothing
    try:
        async with again.db.execute("SELECT count(*) FROM unanswered") as cur:
            assert (await cur.fetchone())[0] == 3
    finally:
        await again.close()


async def test_question_with_a_name_is_stored_without_it(sandbox):
    await sandbox.storage.save_user(31, language="fr", municipality="remich")
    await sandbox.text(31, "je m'appelle Awa Diop, zzqx qwrtz", language_code="fr")
    async with sandbox.storage.db.execute("SELECT query, day FROM unanswered") as cur:
        rows = [tuple(r) for r in await cur.fetchall()]
    assert rows == [("je m'appelle [name], zzqx qwrtz", clock().date().isoformat())]


QUESTIONS = (
    "One exception: a question it cannot answer is kept for 90 days, so that "
    "editors can add what is missing: its words, your language, your "
    "municipality and the day, without your account number and without the "
    "time. Phone numbers, e-mail addresses, long numbers and names in it are "
    "removed before it is stored."
)
USAGE = (
    "To show the municipality how the bot is used, it counts per day, "
    "municipality, topic and language how many people use it and how often "
    "they start it, open a card, search, find nothing and ask a person. These "
    "counts contain no user id, no text and no time of day, and numbers below 5 "
    "are never shown."
)


@pytest.mark.parametrize("lang", ["en", "uk", "ar", "ti"])
async def test_privacy_text_says_what_is_kept_of_questions_and_usage(sandbox, lang):
    await sandbox.storage.save_user(32, language=lang, municipality="remich")
    text = last_text(await sandbox.text(32, "/privacy", language_code=lang))
    t = translator(lang)
    assert t._(QUESTIONS) in text and t._(USAGE) in text
    if lang == "en":
        assert "without the time" in text and "names in it are removed" in text
        assert "numbers below 5 are never shown" in text and "how many people" in text
    else:
        assert QUESTIONS not in text and USAGE not in text, "translated"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_privacy_paragraphs_are_translated_in_every_language(lang):
    t = translator(lang)
    for english in (QUESTIONS, USAGE):
        assert (t._(english) == english) == (lang == "en"), lang
        assert "90" in t._(english) or "۹۰" in t._(english) or english is USAGE


STAFF_YAML = """\
staff:
  - user_id: 7001
    role: admin
  - user_id: 7002
    role: editor
  - user_id: 7003
    role: social_worker
    municipalities: [remich]
"""


async def test_staff_menus_list_stats_for_admins_and_feedback_for_editors(snapshot, tmp_path):
    storage = await Storage.open(tmp_path / "bot.sqlite3")
    await storage.save_user(7001, language="uk", municipality="remich")
    await storage.save_user(7002, language="ar", municipality="remich")
    await storage.close()
    box = await staffed_sandbox(snapshot, tmp_path, STAFF_YAML)
    try:
        menus = {
            c.params["scope"]["chat_id"]: {cmd["command"]: cmd["description"] for cmd in c.params["commands"]}
            for c in box.api.calls
            if c.method == "setMyCommands" and c.params.get("scope", {}).get("type") == "chat"
        }  # fmt: skip
    finally:
        await box.close()
    uk, ar = translator("uk"), translator("ar")
    assert (
        menus[7001]["stats"]
        == uk._("How the bot is used (counts)")
        != "How the bot is used (counts)"
    )
    assert menus[7001]["feedback"] == uk._("Problems newcomers reported")
    assert menus[7002]["feedback"] == ar._("Problems newcomers reported")
    assert "stats" not in menus[7002] and "stats" not in menus[7003]
    assert "feedback" not in menus[7003]


def test_staff_command_descriptions_are_translated_everywhere():
    for name in ("stats", "feedback"):
        assert name in ROLE_COMMANDS["admin"]
        english = STAFF_COMMANDS[name]
        for lang in LANGUAGES:
            text = translator(lang)._(english)
            assert 1 <= len(text) <= 256
            assert lang == "en" or text != english, (lang, name)


def test_placeholders_are_distinct():
    assert len({REMOVED, NAME, ADDRESS}) == 3
