"""Generate a national-scale content directory for benchmarks.

The output has the layout and schema of ``content/`` (it passes
``python -m bot validate DIR``): ``categories.yaml`` copied from the real
content, one country, ``regions`` regions of municipalities, ``per_municipality``
entries scoped to each municipality and ``national`` national entries, with
titles, summaries and keywords in ``languages`` languages built from a small
real vocabulary per language (services, courses, activities... with
qualifiers such as "free" or "for children"), so that search has real words to
match, misspell and stem.

Usage::

    python -m bench.gen_corpus OUT_DIR [--municipalities 1000] [--per-municipality 30]
                                       [--national 500] [--languages 8] [--seed 0]

or ``from bench.gen_corpus import generate``. Files are written as plain text
(no YAML library on the write path), so 30,000 entries take a few seconds.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import shutil
import sys
import time
import unicodedata
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
CATEGORIES_FILE = REPO / "content" / "categories.yaml"

#: Languages in the order they are added; ``languages=8`` takes the first 8.
LANGS = ("de", "en", "fr", "ar", "uk", "ru", "tr", "fa")
COUNTRY = "de"

# Topics per category, as (de, en, fr, ar, uk, ru, tr, fa). The categories of
# categories.yaml get these groups in order (round-robin if there are more).
TOPICS: list[list[tuple[str, ...]]] = [
    [  # offices
        ("Bürgerbüro", "citizens office", "guichet citoyen", "مكتب المواطنين",
         "центр обслуговування громадян", "центр обслуживания граждан", "vatandaş bürosu",
         "دفتر خدمات شهروندی"),
        ("Ausländerbehörde", "foreigners office", "bureau des étrangers", "دائرة الأجانب",
         "відомство у справах іноземців", "ведомство по делам иностранцев",
         "yabancılar dairesi", "اداره اتباع خارجی"),
        ("Sozialamt", "social welfare office", "office social", "مكتب الشؤون الاجتماعية",
         "соціальна служба", "социальная служба", "sosyal yardım dairesi",
         "اداره امور اجتماعی"),
        ("Jobcenter", "job centre", "agence pour l'emploi", "مركز التوظيف", "центр зайнятості",
         "центр занятости", "iş bulma kurumu", "مرکز کاریابی"),
    ],
    [  # language courses
        ("Deutschkurs", "German course", "cours d'allemand", "دورة اللغة الألمانية",
         "курс німецької мови", "курс немецкого языка", "Almanca kursu", "کلاس زبان آلمانی"),
        ("Integrationskurs", "integration course", "cours d'intégration", "دورة الاندماج",
         "інтеграційний курс", "интеграционный курс", "uyum kursu", "کلاس ادغام"),
        ("Sprachcafé", "language café", "café des langues", "مقهى اللغات", "мовне кафе",
         "языковое кафе", "dil kafesi", "کافه زبان"),
        ("Alphabetisierungskurs", "literacy course", "cours d'alphabétisation",
         "دورة محو الأمية", "курс грамотності", "курс грамотности", "okuma yazma kursu",
         "کلاس سوادآموزی"),
    ],
    [  # activities
        ("Fußballverein", "football club", "club de football", "نادي كرة القدم",
         "футбольний клуб", "футбольный клуб", "futbol kulübü", "باشگاه فوتبال"),
        ("Bibliothek", "library", "bibliothèque", "مكتبة", "бібліотека", "библиотека",
         "kütüphane", "کتابخانه"),
        ("Schwimmbad", "swimming pool", "piscine", "مسبح", "басейн", "бассейн", "yüzme havuzu",
         "استخر"),
        ("Nähcafé", "sewing café", "atelier couture", "ورشة الخياطة", "швейна майстерня",
         "швейная мастерская", "dikiş atölyesi", "کارگاه خیاطی"),
    ],
    [  # counselling
        ("Migrationsberatung", "migration advice", "conseil migration", "استشارات الهجرة",
         "консультація з міграції", "консультация по миграции", "göç danışmanlığı",
         "مشاوره مهاجرت"),
        ("Asylberatung", "asylum counselling", "conseil asile", "استشارة اللجوء",
         "консультація з притулку", "консультация по убежищу", "iltica danışmanlığı",
         "مشاوره پناهندگی"),
        ("Schuldnerberatung", "debt advice", "conseil en dettes", "استشارة الديون",
         "консультація з боргів", "консультация по долгам", "borç danışmanlığı",
         "مشاوره بدهی"),
        ("Frauenberatung", "women's counselling", "conseil pour femmes", "استشارة النساء",
         "консультація для жінок", "консультация для женщин", "kadın danışmanlığı",
         "مشاوره زنان"),
    ],
    [  # health
        ("Kinderarzt", "paediatrician", "pédiatre", "طبيب أطفال", "дитячий лікар",
         "детский врач", "çocuk doktoru", "پزشک کودکان"),
        ("Hausarzt", "family doctor", "médecin généraliste", "طبيب عام", "сімейний лікар",
         "семейный врач", "aile hekimi", "پزشک عمومی"),
        ("Apotheke", "pharmacy", "pharmacie", "صيدلية", "аптека", "аптека", "eczane",
         "داروخانه"),
        ("Zahnarzt", "dentist", "dentiste", "طبيب أسنان", "стоматолог", "стоматолог",
         "diş hekimi", "دندانپزشک"),
    ],
    [  # education
        ("Kindergarten", "kindergarten", "école maternelle", "روضة أطفال", "дитячий садок",
         "детский сад", "anaokulu", "کودکستان"),
        ("Grundschule", "primary school", "école primaire", "مدرسة ابتدائية",
         "початкова школа", "начальная школа", "ilkokul", "دبستان"),
        ("Hausaufgabenhilfe", "homework help", "aide aux devoirs", "مساعدة في الواجبات",
         "допомога з домашнім завданням", "помощь с домашним заданием", "ödev yardımı",
         "کمک تکالیف"),
        ("Berufsausbildung", "vocational training", "formation professionnelle",
         "تدريب مهني", "професійне навчання", "профессиональное обучение",
         "mesleki eğitim", "آموزش فنی"),
    ],
    [  # housing
        ("Wohnungsamt", "housing office", "office du logement", "مكتب السكن",
         "житлова служба", "жилищная служба", "konut dairesi", "اداره مسکن"),
        ("Sozialwohnung", "social housing", "logement social", "سكن اجتماعي",
         "соціальне житло", "социальное жильё", "sosyal konut", "مسکن اجتماعی"),
        ("Wohngeld", "housing benefit", "aide au logement", "بدل السكن", "допомога на житло",
         "пособие на жильё", "kira yardımı", "کمک هزینه مسکن"),
        ("Möbellager", "furniture store", "dépôt de meubles", "مخزن الأثاث", "склад меблів",
         "склад мебели", "mobilya deposu", "انبار اثاثیه"),
    ],
    [  # emergency
        ("Notruf", "emergency call", "appel d'urgence", "مكالمة طوارئ", "екстрений виклик",
         "экстренный вызов", "acil çağrı", "تماس اضطراری"),
        ("Polizei", "police", "police", "شرطة", "поліція", "полиция", "polis", "پلیس"),
        ("Frauenhaus", "women's shelter", "foyer pour femmes", "ملجأ النساء",
         "притулок для жінок", "приют для женщин", "kadın sığınma evi", "خانه امن زنان"),
        ("Feuerwehr", "fire brigade", "pompiers", "الإطفاء", "пожежна служба",
         "пожарная служба", "itfaiye", "آتش نشانی"),
    ],
]  # fmt: skip

QUALIFIERS: list[tuple[str, ...]] = [
    ("kostenlos", "free", "gratuit", "مجاني", "безкоштовно", "бесплатно", "ücretsiz", "رایگان"),
    ("für Kinder", "for children", "pour enfants", "للأطفال", "для дітей", "для детей",
     "çocuklar için", "برای کودکان"),
    ("für Frauen", "for women", "pour femmes", "للنساء", "для жінок", "для женщин",
     "kadınlar için", "برای زنان"),
    ("am Abend", "in the evening", "le soir", "في المساء", "ввечері", "вечером", "akşamları",
     "عصرها"),
    ("für Anfänger", "for beginners", "pour débutants", "للمبتدئين", "для початківців",
     "для начинающих", "yeni başlayanlar için", "برای مبتدیان"),
    ("mit Dolmetscher", "with interpreter", "avec interprète", "مع مترجم", "з перекладачем",
     "с переводчиком", "tercümanlı", "با مترجم"),
    ("am Wochenende", "at the weekend", "le week-end", "في عطلة نهاية الأسبوع", "у вихідні",
     "в выходные", "hafta sonu", "آخر هفته"),
    ("für Familien", "for families", "pour familles", "للعائلات", "для сімей", "для семей",
     "aileler için", "برای خانواده‌ها"),
]  # fmt: skip

DAYS: list[tuple[str, ...]] = [
    ("Montag", "Monday", "lundi", "الاثنين", "понеділок", "понедельник", "pazartesi", "دوشنبه"),
    ("Dienstag", "Tuesday", "mardi", "الثلاثاء", "вівторок", "вторник", "salı", "سه‌شنبه"),
    ("Mittwoch", "Wednesday", "mercredi", "الأربعاء", "середа", "среда", "çarşamba",
     "چهارشنبه"),
    ("Donnerstag", "Thursday", "jeudi", "الخميس", "четвер", "четверг", "perşembe", "پنجشنبه"),
    ("Freitag", "Friday", "vendredi", "الجمعة", "пʼятниця", "пятница", "cuma", "جمعه"),
]  # fmt: skip

SUMMARY = {
    "de": "{topic} {qual} in {place}. Offen am {day}, bitte melden Sie sich vorher an.",
    "en": "{topic} {qual} in {place}. Open on {day}, please register first.",
    "fr": "{topic} {qual} à {place}. Ouvert le {day}, inscription préalable.",
    "ar": "{topic} {qual} في {place}. مفتوح يوم {day}، يرجى التسجيل مسبقا.",
    "uk": "{topic} {qual} у {place}. Відчинено: {day}, будь ласка, запишіться заздалегідь.",
    "ru": "{topic} {qual} в {place}. Открыто: {day}, пожалуйста, запишитесь заранее.",
    "tr": "{place} {topic} {qual}. Açık: {day}, lütfen önceden kayıt olun.",
    "fa": "{topic} {qual} در {place}. باز در روز {day}، لطفا از قبل ثبت نام کنید.",
}

_PREFIXES = [
    "Ahl",
    "Bal",
    "Ber",
    "Bir",
    "Dorn",
    "Eb",
    "Ell",
    "Frei",
    "Gel",
    "Grev",
    "Hal",
    "Hei",
    "Hoh",
    "Kirch",
    "Lahn",
    "Lind",
    "Mar",
    "Mer",
    "Mond",
    "Nie",
    "Ober",
    "Ost",
    "Rem",
    "Ros",
    "Sand",
    "Schön",
    "Stein",
    "Tal",
    "Wald",
    "Wei",
    "Wes",
    "Wil",
    "Zell",
    "Bred",
    "Dal",
    "Manter",
    "Wor",
    "Bous",
    "Ehn",
    "Gla",
]
_SUFFIXES = [
    "bach",
    "berg",
    "burg",
    "dorf",
    "feld",
    "hain",
    "hausen",
    "heim",
    "ingen",
    "kirchen",
    "kopf",
    "lar",
    "mach",
    "rath",
    "rode",
    "scheid",
    "stadt",
    "stein",
    "tal",
    "weiler",
    "wald",
    "au",
    "brück",
    "furt",
    "hof",
    "ich",
    "ange",
    "acher",
    "bredimus",
    "kappel",
]

# Rough transliterations so Cyrillic and Arabic-script users see names in their script.
_TO_CYRILLIC = [
    ("sch", "ш"), ("ch", "х"), ("ei", "ай"), ("ie", "і"), ("eu", "ой"), ("ck", "к"),
    ("ö", "е"), ("ü", "ю"), ("ä", "е"), ("a", "а"), ("b", "б"), ("c", "к"), ("d", "д"),
    ("e", "е"), ("f", "ф"), ("g", "г"), ("h", "г"), ("i", "і"), ("j", "й"), ("k", "к"),
    ("l", "л"), ("m", "м"), ("n", "н"), ("o", "о"), ("p", "п"), ("r", "р"), ("s", "з"),
    ("t", "т"), ("u", "у"), ("v", "ф"), ("w", "в"), ("z", "ц"), ("ß", "с"),
]  # fmt: skip
_TO_ARABIC = [
    ("sch", "ش"), ("ch", "خ"), ("ei", "اي"), ("ie", "ي"), ("ck", "ك"), ("a", "ا"),
    ("b", "ب"), ("c", "ك"), ("d", "د"), ("e", ""), ("f", "ف"), ("g", "غ"), ("h", "ه"),
    ("i", "ي"), ("j", "ي"), ("k", "ك"), ("l", "ل"), ("m", "م"), ("n", "ن"), ("o", "و"),
    ("ö", "و"), ("ü", "و"), ("ä", "ا"), ("p", "ب"), ("r", "ر"), ("s", "س"), ("t", "ت"),
    ("u", "و"), ("v", "ف"), ("w", "ف"), ("z", "تس"), ("ß", "س"),
]  # fmt: skip


def _translit(name: str, table: list[tuple[str, str]]) -> str:
    s = name.lower()
    out = []
    i = 0
    while i < len(s):
        for latin, other in table:
            if s.startswith(latin, i):
                out.append(other)
                i += len(latin)
                break
        else:
            out.append(s[i])
            i += 1
    text = "".join(out)
    return text[:1].upper() + text[1:]


def _slug(name: str) -> str:
    s = name.lower().replace("ö", "oe").replace("ü", "ue").replace("ä", "ae").replace("ß", "ss")
    s = unicodedata.normalize("NFKD", s).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", s).strip("-")


def _q(text: str) -> str:
    # A JSON string is a valid YAML double-quoted scalar.
    return json.dumps(text, ensure_ascii=False)


@dataclass(frozen=True)
class GeneratedMunicipality:
    """A generated municipality: id, region id and name per language."""

    id: str
    region: str
    names: dict[str, str]


@dataclass(frozen=True)
class Corpus:
    """What :func:`generate` wrote: the directory, languages, municipalities and
    the vocabulary (topics and qualifiers per category index), for building queries."""

    path: Path
    languages: tuple[str, ...]
    municipalities: list[GeneratedMunicipality]
    categories: list[str]
    topics: list[list[tuple[str, ...]]]
    qualifiers: list[tuple[str, ...]]


def _names(n: int, rng: random.Random) -> list[str]:
    combos = [p + s for p in _PREFIXES for s in _SUFFIXES]
    rng.shuffle(combos)
    if n > len(combos):
        combos += [f"{c} {k}" for k in range(2, n // len(combos) + 2) for c in combos]
    return combos[:n]


def generate(
    path: str | Path,
    municipalities: int = 1000,
    per_municipality: int = 30,
    national: int = 500,
    languages: int = 8,
    seed: int = 0,
    regions: int = 20,
) -> Corpus:
    """Write a content directory at ``path`` (replaced if it exists) and describe it.

    ``municipalities`` spread over ``regions`` regions, ``per_municipality``
    entries scoped to each, ``national`` national entries; texts in the first
    ``languages`` (1..8) of :data:`LANGS`. Deterministic for a given ``seed``.
    """
    if not 1 <= languages <= len(LANGS):
        raise ValueError(f"languages must be 1..{len(LANGS)}")
    rng = random.Random(seed)
    root = Path(path)
    if root.exists():
        shutil.rmtree(root)
    langs = LANGS[:languages]
    li = [LANGS.index(lang) for lang in langs]
    # The default language (de) must be present in every entry.
    if "de" not in langs:
        raise ValueError("the generated country's language, de, must be included")

    (root / "countries" / COUNTRY / "entries").mkdir(parents=True)
    shutil.copyfile(CATEGORIES_FILE, root / "categories.yaml")
    categories = re.findall(r"^\s*-\s*id:\s*([a-z0-9-]+)", CATEGORIES_FILE.read_text(), re.M)
    topics = [TOPICS[i % len(TOPICS)] for i in range(len(categories))]
    (root / "countries" / COUNTRY / "country.yaml").write_text(
        f"id: {COUNTRY}\ndefault_language: de\nname:\n  de: Deutschland\n  en: Germany\n",
        encoding="utf-8",
    )

    def texts(category: int, topic: tuple[str, ...], qual: tuple[str, ...], place: dict) -> str:
        day = rng.choice(DAYS)
        lines = ["title:"]
        for lang, i in zip(langs, li, strict=True):
            lines.append(f"  {lang}: {_q(f'{topic[i]} {qual[i]} – {place[lang]}')}")
        lines.append("summary:")
        for lang, i in zip(langs, li, strict=True):
            text = SUMMARY[lang].format(topic=topic[i], qual=qual[i], place=place[lang], day=day[i])
            lines.append(f"  {lang}: {_q(text)}")
        lines.append("keywords:")
        for lang, i in zip(langs, li, strict=True):
            other = rng.choice(topics[category])[i]
            lines.append(f"  {lang}: [{_q(topic[i])}, {_q(qual[i])}, {_q(other)}]")
        return "\n".join(lines) + "\n"

    def entry(eid: str, scope: str, place: dict) -> str:
        category = rng.randrange(len(categories))
        topic = rng.choice(topics[category])
        qual = rng.choice(QUALIFIERS)
        cost = rng.choice(("free", "paid", "reduced"))
        return (
            f"id: {eid}\ncategory: {categories[category]}\nscope: {scope}\ncost: {cost}\n"
            f'source: "https://www.example.org/{eid}"\n' + texts(category, topic, qual, place)
        )

    names = _names(municipalities, rng)
    generated: list[GeneratedMunicipality] = []
    per_region = -(-municipalities // regions) if municipalities else 0
    for r in range(regions):
        chunk = names[r * per_region : (r + 1) * per_region]
        if not chunk:
            break
        rid = f"region-{r + 1:02d}"
        folder = root / "regions" / rid
        (folder / "entries").mkdir(parents=True)
        lines = [
            f"id: {rid}",
            f"country: {COUNTRY}",
            "default_language: de",
            "timezone: Europe/Berlin",
            "name:",
            f"  de: Landkreis {r + 1}",
            f"  en: District {r + 1}",
            "municipalities:",
        ]
        for name in chunk:
            mid = _slug(name)
            cyr, arab = _translit(name, _TO_CYRILLIC), _translit(name, _TO_ARABIC)
            local = {
                "de": name, "en": name, "fr": name, "tr": name,
                "uk": cyr, "ru": cyr, "ar": arab, "fa": arab,
            }  # fmt: skip
            generated.append(GeneratedMunicipality(mid, rid, local))
            lat, lon = 48 + rng.random() * 5, 7 + rng.random() * 7
            lines += [
                f"  - id: {mid}",
                "    name:",
                *(f"      {lang}: {_q(local[lang])}" for lang in langs),
                f"    aliases: [{_q(name.replace('h', ''))}, {_q(name + ' Stadt')}]",
                f"    geo: {{lat: {lat:.4f}, lon: {lon:.4f}}}",
            ]
        (folder / "region.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
        for m in generated[-len(chunk) :]:
            for k in range(per_municipality):
                eid = f"{m.id[:30]}-{k + 1:02d}"
                (folder / "entries" / f"{eid}.yaml").write_text(
                    entry(eid, f"[{m.id}]", m.names), encoding="utf-8"
                )

    country_place = {"de": "Deutschland", "en": "Germany", "fr": "Allemagne", "ar": "ألمانيا",
                     "uk": "Німеччина", "ru": "Германия", "tr": "Almanya", "fa": "آلمان"}  # fmt: skip
    for k in range(national):
        eid = f"national-{k + 1:04d}"
        (root / "countries" / COUNTRY / "entries" / f"{eid}.yaml").write_text(
            entry(eid, "national", country_place), encoding="utf-8"
        )
    return Corpus(root, langs, generated, categories, topics, QUALIFIERS)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--municipalities", type=int, default=1000)
    parser.add_argument("--per-municipality", type=int, default=30)
    parser.add_argument("--national", type=int, default=500)
    parser.add_argument("--languages", type=int, default=8)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    start = time.perf_counter()
    corpus = generate(
        args.out, args.municipalities, args.per_municipality, args.national, args.languages,
        args.seed,
    )  # fmt: skip
    n = len(corpus.municipalities) * args.per_municipality + args.national
    print(f"wrote {n} entries to {corpus.path} in {time.perf_counter() - start:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
