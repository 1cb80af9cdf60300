"""``python -m bot.ops.probe [PATH]``: exit 0 if the bot's HTTP port answers ``PATH``
(default ``/healthz``) with 200 within 4 s, else 1. The Docker health check; it
reads ``BOT_HTTP_PORT`` and asks 127.0.0.1 (slim images have no curl)."""

from __future__ import annotations

import os
import sys
import urllib.error
import urllib.request


def main(argv: list[str]) -> int:
    path = argv[0] if argv else "/healthz"
    port = os.environ.get("BOT_HTTP_PORT") or "8080"
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=4) as answer:
            ok = answer.status == 200
    except (urllib.error.URLError, OSError, ValueError) as exc:
        print(f"{path}: {exc}", file=sys.stderr)
        return 1
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
