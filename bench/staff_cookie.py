"""Cache-bypass benchmark (not a test): an article page's requests per second with no cookie,
with a made-up `sessionid`, with a forged staff marker, and with a real staff marker.

    .venv/bin/python bench/staff_cookie.py [--seconds 5] [--rounds 3]

Starts gunicorn (2 workers, DJANGO_DEBUG=0) on 127.0.0.1 over a scratch SQLite database and
loads the page with wrk (Debian package), interleaved round by round, so all four figures come
from the same run. Target: a garbage `sessionid` and a forged marker are served from the page
cache like a visitor without cookies (within noise); only the signed marker (set at staff
sign-in, core/staffmarker.py) renders fresh.
"""

from __future__ import annotations

import argparse
import re
import shutil
import statistics
import subprocess
import sys
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.common import gunicorn, prepare_site, scratch_dir, shell, site_env  # noqa: E402

PAGE = "/articles/what-to-expect/"


def wrk_rps(url: str, seconds: int, cookie: str | None) -> float:
    headers = ["-H", f"Cookie: {cookie}"] if cookie else []
    output = subprocess.run(
        ["wrk", "-t2", "-c16", f"-d{seconds}s", *headers, url],
        capture_output=True,
        text=True,
        check=True,
        timeout=seconds + 30,
    ).stdout
    return float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))


def cache_header(url: str, cookie: str | None) -> str:
    request = urllib.request.Request(url, headers={"Cookie": cookie} if cookie else {})
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.headers.get("X-Page-Cache", "none (fresh)")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    if not shutil.which("wrk"):
        print("wrk is missing (Debian package wrk)", file=sys.stderr)
        return 1
    with scratch_dir() as scratch:
        scratch_path = Path(scratch)
        env = site_env(f"sqlite:///{scratch_path / 'bench.sqlite3'}", DJANGO_LOG_LEVEL="ERROR")
        prepare_site(env, static_root=scratch_path / "static")
        marker = shell(
            env,
            "from dryneedling_site.core.staffmarker import staff_marker_value; print(staff_marker_value(1))",
        )
        cookies = {
            "no cookie": None,
            "sessionid=garbage": "sessionid=garbage",
            "forged staff marker": "staff=1:forged:signature",
            "signed staff marker": f"staff={marker}",
        }
        with gunicorn(env, workers=2) as base:
            url = base + PAGE
            for cookie in cookies.values():  # warm caches and workers
                cache_header(url, cookie)
            served = {name: cache_header(url, cookie) for name, cookie in cookies.items()}
            rates: dict[str, list[float]] = {name: [] for name in cookies}
            for round_number in range(args.rounds):
                for name, cookie in cookies.items():
                    rates[name].append(wrk_rps(url, args.seconds, cookie))
                print(
                    f"  round {round_number + 1}: "
                    + ", ".join(f"{n} {r[-1]:.0f}/s" for n, r in rates.items())
                )
    print(f"\n{PAGE}, wrk 2 threads 16 connections, median of {args.rounds} x {args.seconds} s")
    print("cookie                 req/s   X-Page-Cache")
    for name in cookies:
        print(f"{name:<22} {statistics.median(rates[name]):6.0f}   {served[name]}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
