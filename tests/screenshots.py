"""The README's pictures of the dashboard and the incident page, made from the browser
tests' data (``tests.test_dashboard.written``) on a throwaway database:

    .venv/bin/python -m tests.screenshots          # writes docs/screenshots/*.png
"""

import argparse
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from playwright.sync_api import sync_playwright

from clickhouse import StoreConfig
from tests.helpers import patch
from tests.test_dashboard import launch, service, write, written

ORG = "acme"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else "")
    parser.add_argument("--out", type=Path, default=Path("docs/screenshots"))
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    now = datetime.now(UTC).replace(microsecond=0)
    with (
        tempfile.TemporaryDirectory() as directory,
        service(StoreConfig(data_dir=Path(directory))) as running,
    ):
        known = write(running.api, ORG, written(now, count=60))
        headers = {"X-Scope-OrgID": ORG}
        # The incident page shows a patch, an acknowledgement and notes in its history.
        shown = max(known.all(), key=lambda i: i.start).id
        change = patch(title="Checkout p99 above 2 s", severity="critical", priority="P1")
        running.api.patch(f"/api/v1/incidents/{shown}", json=change, headers=headers)
        running.api.post(
            f"/api/v1/incidents/{shown}/acknowledge", headers={**headers, "User-ID": "alice"}
        )
        for body in ("Pool exhausted on two nodes.", "Scaled the pool to 12; watching."):
            running.api.post(
                f"/api/v1/incidents/{shown}/notes", json={"body": body}, headers=headers
            )
        with sync_playwright() as playwright:
            browser = launch(playwright)
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            for name, path in (
                ("dashboard", f"/ui/?org={ORG}"),
                ("incident", f"/ui/incidents/{shown}?org={ORG}&user=alice"),
            ):
                page.goto(running.origin + path)
                page.wait_for_selector("html[data-ready=true]")
                page.screenshot(path=args.out / f"{name}.png", full_page=True)
                print(args.out / f"{name}.png")
            browser.close()


if __name__ == "__main__":
    main()
