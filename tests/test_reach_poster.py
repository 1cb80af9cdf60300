"""The poster: a QR code that reads back as the deep link, shaped right-to-left text that
can be found in the PDF, every language in a font with its script."""

from __future__ import annotations

import pypdfium2 as pdfium
import pytest
import zxingcpp

from bot.i18n import translator
from bot.reach.deeplinks import Target, url
from bot.reach.poster import FONTS, SCRIPTS, call_to_action, make_poster
from tests.conftest import CONTENT
from tests.test_reach_links import run_cli

LINK = url("newcomer_test_bot", Target(municipality="remich"))


def render(pdf: bytes):
    """First page as (PIL image at 150 dpi, extracted text, page size in points)."""
    document = pdfium.PdfDocument(pdf)
    page = document[0]
    image = page.render(scale=150 / 72).to_pil()
    text = page.get_textpage().get_text_range()
    size = page.get_size()
    document.close()
    return image, text, size


@pytest.fixture(scope="module")
def poster(snapshot) -> bytes:
    place = snapshot.content.place("remich")
    return make_poster(place, ["ar", "uk", "fa", "pt", "ti", "ps"], "newcomer_test_bot", LINK)


def test_the_qr_code_reads_back_as_the_link(poster):
    image, _, _ = render(poster)
    codes = zxingcpp.read_barcodes(image)
    assert [c.text for c in codes if c.format == zxingcpp.BarcodeFormat.QRCode] == [LINK]


def test_the_page_is_a4(poster):
    _, _, (width, height) = render(poster)
    assert (round(width * 25.4 / 72), round(height * 25.4 / 72)) == (210, 297)


def test_each_language_says_its_call_to_action(poster, snapshot):
    _, text, _ = render(poster)
    # The text layer is the shaped glyphs mapped back to characters: whole Arabic,
    # Persian and Pashto words come out (joined forms map to their letters), in order.
    assert "معلومات للقادمين الجدد في ريميش" in text
    assert "اسکن" in text and "معلومات" in text  # Persian and Pashto lines
    assert "Інформація для новоприбулих: Реміх" in text
    assert "Informação para recém-chegados em Remich" in text
    assert "ሓበሬታ ንሓደስቲ መጻእቲ" in text  # Tigrinya, in Ethiopic script
    assert "@newcomer_test_bot" in text
    place = snapshot.content.place("remich")
    for lang in ("ar", "uk", "fa", "pt", "ti", "ps"):
        assert call_to_action(lang, place) != call_to_action("en", place), lang


def test_each_script_has_its_font_and_the_fonts_ship_with_their_license(poster):
    fonts = {f.name for f in FONTS.glob("*.ttf")}
    assert {s.file for s in SCRIPTS.values()} | {"NotoSans-Regular.ttf"} <= fonts
    assert "SIL OPEN FONT LICENSE" in (FONTS / "OFL.txt").read_text()
    for family in (b"NotoSansArabic", b"NotoSansEthiopic", b"NotoSans"):
        assert family in poster  # embedded (subset) in the PDF
    assert sum(f.stat().st_size for f in FONTS.iterdir()) < 2_500_000


def test_the_call_to_action_is_translated_everywhere():
    for lang in ("ar", "fa", "ps", "ti", "uk", "pt", "de", "fr", "lb", "ru", "tr"):
        text = translator(lang)._("Information for newcomers in {municipality} — scan me")
        assert "{municipality}" in text and "scan me" not in text, lang


async def test_poster_command_writes_a_pdf_whose_qr_code_opens_the_bot(tmp_path):
    out = tmp_path / "remich.pdf"
    code, stdout, stderr = await run_cli(
        "poster", "--municipality", "remich", "--lang", "ar,uk,fa,pt",
        "--bot", "newcomer_test_bot", "-o", str(out), str(CONTENT),
    )  # fmt: skip
    assert code == 0, stderr
    image, text, _ = render(out.read_bytes())
    assert [c.text for c in zxingcpp.read_barcodes(image)] == [LINK]
    assert LINK in stdout and "ريميش" in text
    # One language: the link opens the bot in it.
    code, _, stderr = await run_cli(
        "poster", "--municipality", "remich", "--lang", "ti",
        "--bot", "newcomer_test_bot", "-o", str(out), str(CONTENT),
    )  # fmt: skip
    image, _, _ = render(out.read_bytes())
    assert [c.text for c in zxingcpp.read_barcodes(image)] == [LINK + "_ti"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--municipality", "atlantis", "--lang", "ar"], "unknown municipality"),
        (["--municipality", "remich", "--lang", "ar,xx"], "--lang takes UI languages"),
        (["--municipality", "remich", "--lang", ","], "--lang takes UI languages"),
    ],
)
async def test_poster_command_refuses_bad_input(tmp_path, args, message):
    out = tmp_path / "p.pdf"
    code, _, stderr = await run_cli("poster", *args, "--bot", "b_bot", "-o", str(out), str(CONTENT))
    assert code == 2 and message in stderr and "Traceback" not in stderr
    assert not out.exists()


async def test_poster_command_says_when_it_cannot_write(tmp_path):
    out = tmp_path / "missing-folder" / "p.pdf"
    code, _, stderr = await run_cli(
        "poster", "--municipality", "remich", "--lang", "ar",
        "--bot", "b_bot", "-o", str(out), str(CONTENT),
    )  # fmt: skip
    assert code == 2 and "cannot write" in stderr and "Traceback" not in stderr
