"""The loader's face on a terminal: a progress bar per file and a summary line."""

from pathlib import Path

from rich.console import Console
from rich.progress import (
    BarColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from ingest.loader import FileSummary, input_size, load_file
from ingest.writer import Writer


def load_with_progress(
    writer: Writer, org_id: str, path: Path, *, chunk: int, strict: bool
) -> FileSummary:
    """Load one file, showing rows, rows/s and ETA; print its invalid rows and a summary."""
    console = Console(stderr=True, soft_wrap=True)
    total, unit = input_size(path)
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.fields[rows]:,} rows"),
        TextColumn("{task.fields[rate]:,.0f} rows/s"),
        TimeElapsedColumn(),
        TextColumn("ETA"),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=console, transient=False) as bar:
        task = bar.add_task(path.name, total=total, rows=0, rate=0.0)
        started = bar.get_time()

        def advance(rows: int, reached: int) -> None:
            elapsed = max(bar.get_time() - started, 1e-9)
            bar.update(task, completed=reached, rows=rows, rate=rows / elapsed)

        summary = load_file(writer, org_id, path, chunk=chunk, strict=strict, progress=advance)
    for rejected in summary.rejected:
        console.print(rejected.describe(path, unit), style="yellow", markup=False, highlight=False)
    rate = summary.rows / summary.seconds if summary.seconds else 0.0
    console.print(
        f"{path}: {summary.rows:,} rows, {summary.stored:,} stored, "
        f"{len(summary.rejected):,} invalid, {summary.seconds:.1f} s, {rate:,.0f} rows/s"
        + (" (stopped at the first invalid row)" if summary.stopped else ""),
        markup=False,
        highlight=False,
    )
    return summary
