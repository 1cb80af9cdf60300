"""Issue 11.1: a shared location counts only inside a municipality's own area, in its
country; elsewhere the bot says so and offers the nearest covered municipality."""

from __future__ import annotations

import math
import re
import shutil

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.content.geo import zone_at
from bot.content.load import ContentInvalid
from bot.content.snapshot import Snapshot
from bot.content.store import DEFAULT_RADIUS_KM
from bot.devtools.sandbox import Sandbox
from tests.conftest import CONTENT, clock, last_keyboard, last_message_id

OUTSIDE = {
    # place: (lat, lon, the nearest covered municipality the old code silently chose)
    "Trier": (49.75, 6.64, "mertert"),
    "Luxembourg City": (49.611, 6.130, "dalheim"),
    "Gießen": (50.58, 8.68, "gladenbach"),
    # Nennig, Germany: across the Moselle from Remich, 2 km from its centre.
    "Nennig": (49.531, 6.383, "remich"),
}


@pytest.mark.parametrize("name", OUTSIDE)
async def test_a_location_outside_every_municipality_is_not_mapped_to_one(sandbox, name):
    lat, lon, nearest = OUTSIDE[name]
    await sandbox.text(3100, "/start", language_code="en")
    calls = await sandbox.location(3100, lat, lon, language_code="en")
    user = await sandbox.storage.get_user(3100)
    assert user.municipality is None, f"{name} is not in {nearest}"
    said = " ".join(c.text for c in calls if c.method == "sendMessage")
    assert "no information for this place" in said
    place = sandbox.application.bot_data.snapshot.content.places[nearest]
    assert f"The nearest municipality I know is {place.municipality.name['en']}" in said
    assert re.search(r"\d+ km away", said)
    keyboard = last_keyboard(calls)
    assert keyboard.get(f"✅ Yes, {place.municipality.name['en']}") == f"mun:{nearest}"
    assert "mp:0" in keyboard.values(), "a way to pick another municipality"


async def test_the_nearest_municipality_can_be_confirmed_with_one_tap(sandbox):
    await sandbox.text(3101, "/start", language_code="de")
    calls = await sandbox.location(3101, 49.75, 6.64, language_code="de")  # Trier
    assert "Mertert" in " ".join(c.text for c in calls if c.method == "sendMessage")
    calls = await sandbox.tap(3101, "mun:mertert", last_message_id(calls), language_code="de")
    assert (await sandbox.storage.get_user(3101)).municipality == "mertert"
    assert any(d.startswith("cat:") for d in last_keyboard(calls).values())


async def test_the_distance_is_in_the_users_language(sandbox):
    await sandbox.text(3102, "/start", language_code="ar")
    calls = await sandbox.location(3102, 49.75, 6.64, language_code="ar")
    said = " ".join(c.text for c in calls if c.method == "sendMessage")
    assert "كم" in said, "kilometres in Arabic (CLDR unit through Babel)"
    assert "km" not in said


async def test_a_village_of_a_commune_is_inside_it(sandbox):
    await sandbox.text(3103, "/start", language_code="en")
    await sandbox.location(3103, 49.715, 6.497, language_code="en")  # Wasserbillig
    assert (await sandbox.storage.get_user(3103)).municipality == "mertert"


def test_the_country_check_uses_the_time_zone_borders():
    assert zone_at(49.545, 6.367) == "Europe/Luxembourg"  # Remich
    assert zone_at(49.531, 6.383) == "Europe/Berlin"  # Nennig, across the river
    assert zone_at(95.0, 6.0) is None


def test_default_radius_fits_a_commune():
    assert 3 <= DEFAULT_RADIUS_KM <= 6


def _with_region_lines(tmp_path, municipality: str, lines: str):
    content = tmp_path / "content"
    shutil.copytree(CONTENT, content)
    path = content / "regions/miselerland/region.yaml"
    text = path.read_text("utf-8")
    anchor = f"  - id: {municipality}\n"
    assert anchor in text
    path.write_text(text.replace(anchor, anchor + lines), "utf-8")
    return content


async def test_a_boundary_decides_instead_of_the_radius(tmp_path):
    # A small square around Remich's centre: 3 km away is outside although the
    # default radius would take it.
    square = (
        "    boundary:\n"
        "      - {lat: 49.535, lon: 6.355}\n"
        "      - {lat: 49.555, lon: 6.355}\n"
        "      - {lat: 49.555, lon: 6.3695}\n"
        "      - {lat: 49.535, lon: 6.3695}\n"
    )
    snapshot = Snapshot.load(_with_region_lines(tmp_path, "remich", square))
    box = await Sandbox.create(snapshot, database=tmp_path / "bot.sqlite3", clock=clock)
    try:
        await box.text(3104, "/start", language_code="en")
        await box.location(3104, 49.545, 6.36, language_code="en")
        assert (await box.storage.get_user(3104)).municipality == "remich"
        await box.text(3105, "/start", language_code="en")
        await box.location(3105, 49.53, 6.345, language_code="en")  # 2.3 km SW of the centre
        assert (await box.storage.get_user(3105)).municipality != "remich"
    finally:
        await box.close()


async def test_radius_km_is_per_municipality(tmp_path):
    snapshot = Snapshot.load(_with_region_lines(tmp_path, "remich", "    radius_km: 1\n"))
    box = await Sandbox.create(snapshot, database=tmp_path / "bot.sqlite3", clock=clock)
    try:
        await box.text(3106, "/start", language_code="en")
        await box.location(3106, 49.525, 6.367, language_code="en")  # 2.2 km south
        assert (await box.storage.get_user(3106)).municipality is None
    finally:
        await box.close()


@pytest.mark.parametrize(
    ("lines", "message"),
    [
        ("    radius_km: 0\n", "radius_km"),
        ("    radius_km: many\n", "radius_km"),
        ("    boundary:\n      - {lat: 49.5, lon: 6.3}\n", "boundary"),
    ],
)
def test_bad_radius_or_boundary_is_reported(tmp_path, lines, message):
    with pytest.raises(ContentInvalid) as caught:
        Snapshot.load(_with_region_lines(tmp_path, "remich", lines))
    found = [p for p in caught.value.problems if message in str(p)]
    assert found, caught.value.problems
    assert all(" — " in p.message and "Input should" not in p.message for p in found), found


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    lat=st.floats(allow_nan=True, allow_infinity=True),
    lon=st.floats(allow_nan=True, allow_infinity=True),
)
def test_any_coordinates_are_located_without_error(snapshot, lat, lon):
    located = snapshot.content.locate(lat, lon, zone_at)
    if located.inside is not None:
        assert math.isfinite(lat) and math.isfinite(lon)
