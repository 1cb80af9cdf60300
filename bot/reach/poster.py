"""A print-ready A4 poster: a QR code of a deep link, the bot's name, and one short
call to action per chosen language.

Text is shaped with HarfBuzz (fpdf2's text shaping with uharfbuzz), so Arabic,
Persian and Pashto are joined and right-to-left, and Tigrinya is in Ethiopic
script. Each language is set in a Noto font that has its script; the fonts ship
with the project (bot/reach/fonts/, SIL Open Font License, see OFL.txt there), so
making a poster needs no system fonts. The QR code is drawn as vector squares
(segno), sharp at any print size, with error correction level M and the quiet
zone the standard asks for.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import segno
from fpdf import FPDF
from fpdf.enums import Align, MethodReturnValue, XPos, YPos

from bot.content.store import Place
from bot.i18n import N_, translator
from bot.views.common import place_name

FONTS = Path(__file__).resolve().parent / "fonts"

#: The call to action, one line per language; ``{municipality}`` is its name there.
CALL_TO_ACTION = N_("Information for newcomers in {municipality} — scan me")


@dataclass(frozen=True)
class Script:
    """A font for one script, and how HarfBuzz shapes text in it."""

    family: str
    file: str
    script: str | None
    direction: str


LATIN = Script("NotoSans", "NotoSans-Regular.ttf", None, "ltr")
ARABIC = Script("NotoSansArabic", "NotoSansArabic-Regular.ttf", "arab", "rtl")
ETHIOPIC = Script("NotoSansEthiopic", "NotoSansEthiopic-Regular.ttf", "ethi", "ltr")
#: Languages whose script is not Latin or Cyrillic (NotoSans has both).
SCRIPTS = {"ar": ARABIC, "fa": ARABIC, "ps": ARABIC, "ti": ETHIOPIC}

#: Page layout (millimetres).
MARGIN = 15.0
QR_SIZE = 105.0
#: Line height per point of font size (mm/pt): 1.4 times the size.
LINE = 0.353 * 1.4
#: Calls to action: the largest size (pt) that fits, but not larger than this.
MAX_SIZE, MIN_SIZE = 26.0, 9.0
#: Space after each call to action (mm per point of font size).
GAP = 0.25


def script_of(lang: str) -> Script:
    return SCRIPTS.get(lang, LATIN)


def call_to_action(lang: str, place: Place) -> str:
    """The call to action in ``lang`` with the municipality's name in that language."""
    t = translator(lang)
    return t._(CALL_TO_ACTION).format(municipality=place_name(place, t))


class Poster(FPDF):
    def __init__(self) -> None:
        super().__init__(orientation="portrait", unit="mm", format="A4")
        self.set_auto_page_break(False)
        self.set_margins(MARGIN, MARGIN, MARGIN)
        self.add_font("NotoSans", "", str(FONTS / "NotoSans-Regular.ttf"))
        self.add_font("NotoSans", "B", str(FONTS / "NotoSans-Bold.ttf"))
        for script in (ARABIC, ETHIOPIC):
            self.add_font(script.family, "", str(FONTS / script.file))
        # A glyph missing from a script's font (a Latin municipality name in a
        # Tigrinya line, a dash) comes from the Latin font.
        self.set_fallback_fonts(["NotoSans"], exact_match=False)

    def qr(self, data: str, x: float, y: float, size: float) -> None:
        """``data`` as a QR code, a square of ``size`` mm at (x, y), quiet zone included."""
        code = segno.make_qr(data, error="m")
        rows = list(code.matrix_iter(scale=1, border=4))
        module = size / len(rows)
        self.set_fill_color(0, 0, 0)
        for r, row in enumerate(rows):
            c = 0
            while c < len(row):
                if not row[c]:
                    c += 1
                    continue
                start = c
                while c < len(row) and row[c]:
                    c += 1
                # A hair of overlap so no white seam shows between neighbours.
                self.rect(
                    x + start * module, y + r * module, (c - start) * module + 0.01, module + 0.01,
                    style="F",
                )  # fmt: skip

    def _use(self, lang: str, size: float, style: str = "") -> None:
        script = script_of(lang)
        self.set_font("NotoSans" if style else script.family, style, size)
        self.set_text_shaping(
            use_shaping_engine=True,
            direction=script.direction,
            script=script.script,
            language=lang,
        )

    def line_in(self, lang: str, text: str, size: float, *, style: str = "") -> None:
        """One centred paragraph in ``lang``'s script and direction."""
        self._use(lang, size, style)
        self.multi_cell(0, size * LINE, text, align=Align.C, new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    def height_of(self, lang: str, text: str, size: float) -> float:
        """Height (mm) :meth:`line_in` would take."""
        self._use(lang, size)
        return self.multi_cell(
            0, size * LINE, text, align=Align.C, dry_run=True, output=MethodReturnValue.HEIGHT
        )


def make_poster(
    place: Place, languages: list[str], bot_username: str, link: str, bot_name: str | None = None
) -> bytes:
    """The poster as PDF bytes."""
    pdf = Poster()
    pdf.set_title(f"@{bot_username} — {place_name(place, translator('en'))}")
    pdf.set_creator("newcomer-bot poster")
    pdf.add_page()
    width = pdf.w - 2 * MARGIN

    pdf.set_y(MARGIN + 5)
    if bot_name:
        pdf.line_in("en", bot_name, 30, style="B")
    pdf.line_in("en", f"@{bot_username}", 22 if bot_name else 34, style="B")

    top = pdf.get_y() + 6
    pdf.qr(link, MARGIN + (width - QR_SIZE) / 2, top, QR_SIZE)
    pdf.set_y(top + QR_SIZE + 2)
    pdf.set_text_color(60, 60, 60)
    pdf.line_in("en", link.removeprefix("https://"), 13)
    pdf.set_text_color(0, 0, 0)

    # Calls to action share the rest of the page: the largest type that fits,
    # centred in the space left.
    top = pdf.get_y() + 4
    room = pdf.h - MARGIN - top
    lines = [(lang, call_to_action(lang, place)) for lang in languages]
    size = MAX_SIZE
    while size > MIN_SIZE:
        needed = sum(pdf.height_of(lang, text, size) + size * GAP for lang, text in lines)
        if needed <= room:
            break
        size -= 1
    pdf.set_y(top + max(0.0, room - needed) / 2)
    for lang, text in lines:
        pdf.line_in(lang, text, size)
        pdf.set_y(pdf.get_y() + size * GAP)
    return bytes(pdf.output())
