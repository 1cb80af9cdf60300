"""The deployment files: docker-compose.yml, the Dockerfile's health check, .env.example.

Docker is not available where the tests run; these check what `docker compose
config` would read, and that the health check command works against a real bot.
"""

from __future__ import annotations

import asyncio
import re
import sys

import yaml

from tests.conftest import ROOT


def compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text("utf-8"))


def test_compose_runs_the_bot_with_volumes_restart_and_health_check():
    bot = compose()["services"]["bot"]
    assert bot["build"] == "." and bot["env_file"] == ".env"
    assert bot["restart"] == "unless-stopped"
    assert bot["healthcheck"]["test"] == ["CMD", "python", "-m", "bot.ops.probe", "/healthz"]
    mounts = {v.split(":")[1] for v in bot["volumes"]}
    assert {"/data", "/app/content"} <= mounts
    env = bot["environment"]
    assert env["BOT_DATABASE"].startswith("/data/")
    # published on the host's loopback only
    assert all(p.startswith("127.0.0.1:") for p in bot["ports"])
    assert set(compose()["volumes"]) >= {"bot-data", "bot-backups"}


def test_the_backup_service_is_optional_and_shares_the_database_volume():
    backup = compose()["services"]["backup"]
    assert backup["profiles"] == ["backup"]
    assert "bot-data:/data" in backup["volumes"]
    assert "newcomer-bot backup" in " ".join(backup["entrypoint"])


def test_the_dockerfile_health_check_is_the_same_probe():
    text = (ROOT / "Dockerfile").read_text("utf-8")
    assert re.search(r"HEALTHCHECK .*\n\s+CMD \[\"python\", \"-m\", \"bot.ops.probe\"", text)
    assert "EXPOSE 8080" in text


def test_env_example_names_every_setting():
    source = (ROOT / "bot" / "config.py").read_text("utf-8")
    read = set(re.findall(r'env\.get\("([A-Z_]+)"', source))
    example = (ROOT / ".env.example").read_text("utf-8")
    assert read and all(name in example for name in read), read - set(
        re.findall(r"([A-Z_]+)=", example)
    )


async def probe(port: int, path: str = "/healthz") -> int:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot.ops.probe",
        path,
        cwd=ROOT,
        env={"BOT_HTTP_PORT": str(port), "PATH": "/usr/bin:/bin"},
        stderr=asyncio.subprocess.DEVNULL,
    )
    return await process.wait()


async def test_the_probe_passes_on_a_running_bot_and_fails_without_one(sandbox):
    port = sandbox.application.bot_data.ops.port
    assert await probe(port) == 0
    assert await probe(port, "/readyz") == 0
    assert await probe(port, "/nothing-here") == 1
    await sandbox.application.bot_data.ops.stop()
    assert await probe(port) == 1
