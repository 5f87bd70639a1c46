"""The dashboard's first screen, measured in the browser: from navigation start to the
page's ready marker, set when the list, the facets and every chart have rendered.

The app runs under uvicorn in this process on a dataset made by ``benchmarks.dataset``;
headless Chromium (Debian's, as the tests drive it) loads ``/ui/`` for the big tenant.
Each load is a fresh browser context, so nothing is cached: the page's modules, uPlot
and every API answer come over the wire each time, as for a person opening it first.
A warm reload in the same context is measured too. Medians of ``--loads`` loads.

    .venv/bin/python -m benchmarks.dataset --incidents 1000000 --data-dir benchmarks/data/1m-ui
    .venv/bin/python -m benchmarks.dashboard --data-dir benchmarks/data/1m-ui
"""

import argparse
import statistics
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

from playwright.sync_api import Browser, sync_playwright

from benchmarks.dataset import BIG_TENANT, END
from benchmarks.stats import announce
from service.app import create_app
from service.settings import Settings
from tests.serving import served_app
from tests.test_dashboard import launch

DAY = 86400


def views(org: str) -> dict[str, dict[str, Any]]:
    """The screens measured: windows over the dataset's last day and week, and the
    default (the last 24 hours before now, which for this dataset holds only what is
    still open)."""
    end = int(END.timestamp())
    return {
        "last day of the data": {"org": org, "startTimestamp": end - DAY, "endTimestamp": end},
        "last week of the data": {"org": org, "startTimestamp": end - 7 * DAY, "endTimestamp": end},
        "default (24 h to now)": {"org": org},
        "last day, status=OPEN": {
            "org": org,
            "startTimestamp": end - DAY,
            "endTimestamp": end,
            "status": "OPEN",
        },
    }


READY = "performance.getEntriesByName('dashboard-ready')[0].startTime"
# What each API call took, as the browser saw it (request start to response end).
CALLS = """performance.getEntriesByType('resource')
    .filter(e => e.name.includes('/api/v1/'))
    .map(e => [new URL(e.name).pathname, e.responseEnd - e.requestStart])"""


def one_load(browser: Browser, url: str) -> tuple[float, float, list[tuple[str, float]]]:
    """Cold first screen, its API calls, and a warm reload, in milliseconds."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    context.set_default_timeout(60_000)
    try:
        page = context.new_page()
        page.goto(url)
        page.wait_for_selector("html[data-ready=true]")
        cold: float = page.evaluate(READY)
        calls: list[tuple[str, float]] = [tuple(c) for c in page.evaluate(CALLS)]
        page.reload()
        page.wait_for_selector("html[data-ready=true]")
        warm: float = page.evaluate(READY)
        return cold, warm, calls
    finally:
        context.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else "")
    parser.add_argument("--data-dir", type=Path, default=Path("benchmarks/data/1m-ui"))
    parser.add_argument("--org", default=BIG_TENANT)
    parser.add_argument("--loads", type=int, default=9)
    args = parser.parse_args()
    announce()
    app = create_app(Settings(data_dir=args.data_dir, log_level="warning"))
    with served_app(app) as port, sync_playwright() as playwright:
        browser = launch(playwright)
        print(f"Chromium {browser.version}, headless; {args.loads} loads a view, each cold")
        origin = f"http://127.0.0.1:{port}"
        one_load(browser, f"{origin}/ui/?{urlencode({'org': args.org})}")  # the engine warms up
        print(
            f"{'view':26} {'cold p50 ms':>12} {'min':>7} {'max':>7} {'warm p50 ms':>12}"
            "  API calls p50 ms"
        )
        for name, params in views(args.org).items():
            url = f"{origin}/ui/?{urlencode(params)}"
            results = [one_load(browser, url) for _ in range(args.loads)]
            cold = [r[0] for r in results]
            warm = [r[1] for r in results]
            by_call: dict[str, list[float]] = {}
            for _, _, calls in results:
                for path, took in calls:
                    by_call.setdefault(urlsplit(path).path.removeprefix("/api/v1"), []).append(took)
            calls_text = ", ".join(
                f"{path} {statistics.median(times):.0f}" for path, times in by_call.items()
            )
            print(
                f"{name:26} {statistics.median(cold):12.0f} {min(cold):7.0f} {max(cold):7.0f} "
                f"{statistics.median(warm):12.0f}  {calls_text}"
            )
        browser.close()


if __name__ == "__main__":
    main()
