"""First paint on a slow phone network (not a test): first contentful paint, median of 5 runs.

    .venv/bin/python bench/slow_network.py [--runs 5] [--base http://127.0.0.1:PORT]

Starts gunicorn (DJANGO_DEBUG=0, plain HTTP on 127.0.0.1) over a scratch SQLite site with the
shipped content (bench/common.py), unless --base names a running site. Drives Debian's
Chromium through Playwright with DevTools' "Slow 3G" preset set through the DevTools
protocol (Network.emulateNetworkConditions: 2,000 ms latency, 50,000 bytes/s down and up)
and a 4x slower CPU (Emulation.setCPUThrottlingRate), each run in a fresh browser context
(empty cache). Prints the first contentful paint of each run and the median for the home
page, an article and a results page. Target: median <= 2.5 s on each (docs/performance.md).
"""

from __future__ import annotations

import argparse
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.common import gunicorn, prepare_site, scratch_dir, site_env  # noqa: E402

PAGES = {
    "home": "/",
    "article": "/articles/what-to-expect/",
    "results": "/find-a-pt/?location=97201&radius=25",
}
TARGET_SECONDS = 2.5
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SLOW_3G = {"offline": False, "latency": 2000, "downloadThroughput": 50_000, "uploadThroughput": 50_000}
CPU_SLOWDOWN = 4
FCP = """() => new Promise((resolve) => {
  const seen = performance.getEntriesByName("first-contentful-paint");
  if (seen.length) { resolve(seen[0].startTime); return; }
  new PerformanceObserver((list) => {
    const entry = list.getEntriesByName("first-contentful-paint")[0];
    if (entry) resolve(entry.startTime);
  }).observe({ type: "paint", buffered: true });
})"""


def first_paint(browser, url: str) -> float:
    """First contentful paint in seconds, for one cold load of `url` on the slow network."""
    context = browser.new_context(viewport={"width": 390, "height": 844})
    try:
        page = context.new_page()
        session = context.new_cdp_session(page)
        session.send("Network.enable")
        session.send("Network.setCacheDisabled", {"cacheDisabled": True})
        session.send("Network.emulateNetworkConditions", SLOW_3G)
        session.send("Emulation.setCPUThrottlingRate", {"rate": CPU_SLOWDOWN})
        page.goto(url, wait_until="load", timeout=120_000)
        return page.evaluate(FCP) / 1000
    finally:
        context.close()


def measure(base: str, runs: int) -> dict[str, list[float]]:
    from playwright.sync_api import sync_playwright

    figures: dict[str, list[float]] = {name: [] for name in PAGES}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        try:
            for _ in range(runs):  # interleaved, so a slow moment of the machine hits every page
                for name, path in PAGES.items():
                    figures[name].append(first_paint(browser, base + path))
        finally:
            browser.close()
    return figures


def report(figures: dict[str, list[float]]) -> bool:
    met = True
    print(f"First contentful paint, Slow 3G (2,000 ms, 50 KB/s) and {CPU_SLOWDOWN}x CPU slowdown:")
    for name, times in figures.items():
        median = statistics.median(times)
        met &= median <= TARGET_SECONDS
        runs = ", ".join(f"{t:.2f}" for t in times)
        print(f"  {name:<8} median {median:.2f} s  (runs: {runs})  target <= {TARGET_SECONDS} s")
    return met


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--base", help="measure a site already running here instead of starting one")
    args = parser.parse_args()
    if args.base:
        met = report(measure(args.base.rstrip("/"), args.runs))
    else:
        with scratch_dir() as scratch:
            env = site_env(f"sqlite:///{Path(scratch) / 'bench.sqlite3'}")
            prepare_site(env, static_root=Path(scratch) / "static")
            with gunicorn(env, workers=2) as base:
                met = report(measure(base, args.runs))
    sys.exit(0 if met else 1)


if __name__ == "__main__":
    main()
