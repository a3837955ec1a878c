"""Page speed benchmark (not a test): requests per second against a bare-view ceiling,
SQL queries and bytes per page, and Lighthouse scores.

    .venv/bin/python bench/pages.py [--seconds 5] [--rounds 3] [--no-lighthouse]

Starts gunicorn (2 workers, DJANGO_DEBUG=0) on 127.0.0.1 over a scratch SQLite database and
measures, interleaved round by round, an article page, the home page, a Find a PT search and
a view returning a fixed 15 KB string through the same middleware (the ceiling). Load comes
from wrk (Debian package) when installed, else from a Python client. Targets: article page
>= 0.7x the ceiling, <= 60 KB per article page, Lighthouse performance >= 98 and
accessibility, best practices, SEO = 100.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.common import ROOT, gunicorn, prepare_site, scratch_dir, site_env  # noqa: E402

PAGES = {
    "ceiling": "/bench/ceiling",
    "article": "/articles/what-to-expect/",
    "home": "/",
    "find-a-pt": "/find-a-pt/?location=10001&radius=25",
}
# Lighthouse audits the search page itself; results pages are noindex on purpose (search
# engines should not index internal search results), which Lighthouse's SEO audit counts against.
LIGHTHOUSE_PAGES = {"home": "/", "article": PAGES["article"], "find-a-pt": "/find-a-pt/"}
CHROME_FLAGS = (
    "--headless --no-sandbox --disable-gpu --disable-background-networking "
    "--disable-component-update --disable-sync --no-first-run"
)


def wrk_rps(url: str, seconds: int) -> float:
    output = subprocess.run(
        ["wrk", "-t2", "-c16", f"-d{seconds}s", url],
        capture_output=True,
        text=True,
        check=True,
        timeout=seconds + 30,
    ).stdout
    return float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))


def python_rps(url: str, seconds: int, clients: int = 16) -> float:
    done = []
    stop = time.monotonic() + seconds

    def worker() -> None:
        count = 0
        while time.monotonic() < stop:
            with urllib.request.urlopen(url, timeout=10) as response:
                response.read()
            count += 1
        done.append(count)

    threads = [threading.Thread(target=worker) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sum(done) / seconds


def page_bytes(base: str, path: str) -> dict[str, int]:
    """HTML plus the CSS and JS it loads, raw and as sent compressed."""

    def fetch(url: str) -> tuple[int, int]:
        request = urllib.request.Request(url, headers={"Accept-Encoding": "gzip"})
        with urllib.request.urlopen(request, timeout=10) as response:
            body = response.read()
            if response.headers.get("Content-Encoding") == "gzip":
                return len(gzip.decompress(body)), len(body)
            return len(body), len(gzip.compress(body))

    with urllib.request.urlopen(base + path, timeout=10) as response:
        html = response.read().decode()
    raw, compressed = fetch(base + path)
    assets = re.findall(r'<link rel="stylesheet" href="([^"]+)"', html) + re.findall(
        r'<script[^>]+src="([^"]+)"', html
    )
    for asset in assets:
        asset_raw, asset_compressed = fetch(base + asset)
        raw += asset_raw
        compressed += asset_compressed
    return {"raw": raw, "compressed": compressed, "files": 1 + len(assets)}


def queries_per_page(env: dict[str, str]) -> dict[str, tuple[int, int]]:
    """SQL queries for a cache miss and a cache hit of each page, counted in-process."""
    code = f"""
import json, django
django.setup()
from django.conf import settings
settings.ROOT_URLCONF = "bench.urls_bench"
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
client, result = Client(), {{}}
for name, path in {PAGES!r}.items():
    counts = []
    for _ in range(2):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(path, HTTP_HOST="127.0.0.1").status_code == 200, path
        counts.append(len(queries))
    result[name] = counts
print(json.dumps(result))
"""
    output = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    ).stdout
    return json.loads(output.strip().splitlines()[-1])


def lighthouse(base: str, out_dir: Path) -> dict[str, dict[str, int]] | None:
    binary = ROOT / "bench" / "node_modules" / ".bin" / "lighthouse"
    if not binary.exists():
        print("Lighthouse not installed: run `npm install --prefix bench` to add it.")
        return None
    scores = {}
    for name, path in LIGHTHOUSE_PAGES.items():
        report = out_dir / f"lighthouse-{name}.json"
        subprocess.run(
            [
                str(binary),
                base + path,
                "--quiet",
                f"--chrome-flags={CHROME_FLAGS}",
                "--only-categories=performance,accessibility,best-practices,seo",
                "--output=json",
                f"--output-path={report}",
            ],
            env={**os.environ, "CHROME_PATH": "/usr/bin/chromium"},
            check=True,
            timeout=300,
        )
        categories = json.loads(report.read_text())["categories"]
        scores[name] = {key: round(value["score"] * 100) for key, value in categories.items()}
    return scores


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=int, default=5, help="load per page per round")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--no-lighthouse", action="store_true")
    args = parser.parse_args()

    with scratch_dir() as scratch:
        scratch_path = Path(scratch)
        env = site_env(f"sqlite:///{scratch_path / 'bench.sqlite3'}", DJANGO_LOG_LEVEL="ERROR")
        prepare_site(env, static_root=scratch_path / "static")
        queries = queries_per_page(env)
        load = wrk_rps if shutil.which("wrk") else python_rps
        print(f"Load generator: {'wrk (2 threads, 16 connections)' if load is wrk_rps else 'Python threads'}")
        with gunicorn(env, workers=2) as base:
            for path in PAGES.values():  # warm caches and workers
                urllib.request.urlopen(base + path, timeout=10).read()
            rates: dict[str, list[float]] = {name: [] for name in PAGES}
            for round_number in range(args.rounds):
                for name, path in PAGES.items():
                    rates[name].append(load(base + path, args.seconds))
                print(
                    f"  round {round_number + 1}: "
                    + ", ".join(f"{n} {r[-1]:.0f}/s" for n, r in rates.items())
                )
            sizes = {name: page_bytes(base, path) for name, path in PAGES.items() if name != "ceiling"}
            scores = None if args.no_lighthouse else lighthouse(base, scratch_path)

    ceiling = statistics.median(rates["ceiling"])
    print("\npage        req/s   x ceiling  queries (miss/hit)  bytes HTML+CSS+JS (gzip)")
    for name in PAGES:
        rate = statistics.median(rates[name])
        size = sizes.get(name)
        size_text = (
            f"{size['raw'] / 1024:.1f} KB ({size['compressed'] / 1024:.1f} KB), {size['files']} files"
            if size
            else "-"
        )
        print(
            f"{name:<10} {rate:7.0f}   {rate / ceiling:6.2f}x   {queries[name][0]:>3} / {queries[name][1]:<3}           {size_text}"
        )
    if scores:
        print("\nLighthouse (mobile)  performance  accessibility  best-practices  seo")
        for name, values in scores.items():
            print(
                f"{name:<20} {values['performance']:>11}  {values['accessibility']:>13}  "
                f"{values['best-practices']:>14}  {values['seo']:>3}"
            )
    article_ratio = statistics.median(rates["article"]) / ceiling
    ok = article_ratio >= 0.7 and sizes["article"]["raw"] <= 60 * 1024
    if scores:
        ok = ok and all(
            s["performance"] >= 98 and s["accessibility"] == s["best-practices"] == s["seo"] == 100
            for s in scores.values()
        )
    print("\nTargets met." if ok else "\nSome targets missed (see above).")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
