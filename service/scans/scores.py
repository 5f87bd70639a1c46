"""The cluster score: which scan reports carry a score, and how scores combine.

Pure functions, no storage. The store hands over, for each source's newest report, the
raw JSON text of the fields a score may come from (``ScoreInputs``: '' where a field is
absent or the payload is not valid JSON); this module decides what they are worth.

A report is understood when the first of these yields a score, in this order:

- Popeye: ``popeye.score``, a number in 0..100;
- kube-bench: ``Totals``, whose ``total_pass``, ``total_fail`` and ``total_warn`` are
  non-negative integers with a positive sum: ``pass / (pass + fail + warn) * 100``;
- Kubescape: ``summaryDetails.complianceScore``, a number in 0..100;
- Trivy: every ``MisconfSummary`` of ``Results[]`` (``trivy config``, ``fs``, ``image``)
  and of ``Resources[].Results[]`` (``trivy k8s``), each with non-negative integer
  ``Successes`` and ``Failures``, whose sums are positive:
  ``successes / (successes + failures) * 100``;
- any JSON object with a top-level ``score``, a number in 0..100.

Booleans, strings, NaN, numbers out of range and zero kube-bench totals yield nothing,
as do zero sums and a Trivy summary without both counts, and a report that yields
nothing does not count. Scores are exact fractions, so that
the mean is rounded half up on its true value, not on a float's approximation.
"""

import json
import math
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Any

# Lower bounds of the grades, best first; anything below the last is F.
GRADES = ((90, "A"), (80, "B"), (70, "C"), (60, "D"), (50, "E"))


@dataclass(frozen=True)
class ScoreInputs:
    """Raw JSON text of the fields of one report that a score may come from."""

    popeye_score: str = ""
    kube_bench_totals: str = ""
    kubescape_score: str = ""
    trivy_summaries: tuple[str, ...] = ()
    score: str = ""


@dataclass(frozen=True)
class ClusterScore:
    score: int
    grade: str


def _value(fragment: str) -> Any:
    if not fragment:
        return None
    try:
        return json.loads(fragment, parse_float=Decimal, parse_constant=_not_a_number)
    except (ValueError, RecursionError):
        return None


def _not_a_number(name: str) -> None:
    raise ValueError(f"{name} is not a number")


def _percentage(fragment: str) -> Fraction | None:
    value = _value(fragment)
    if isinstance(value, bool) or not isinstance(value, int | Decimal):
        return None
    # Compare before converting: a Fraction of 1e999999 would be a million-digit integer.
    return Fraction(value) if 0 <= value <= 100 else None


def _count(value: Any) -> int | None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        return None
    return value


def _kube_bench(fragment: str) -> Fraction | None:
    totals = _value(fragment)
    if not isinstance(totals, dict):
        return None
    passed, failed, warned = (_count(totals.get(f"total_{k}")) for k in ("pass", "fail", "warn"))
    if passed is None or failed is None or warned is None:
        return None
    checked = passed + failed + warned
    return Fraction(100 * passed, checked) if checked else None


def _trivy(fragments: tuple[str, ...]) -> Fraction | None:
    passed = failed = 0
    for fragment in fragments:
        summary = _value(fragment)
        if not isinstance(summary, dict):
            return None
        successes, failures = _count(summary.get("Successes")), _count(summary.get("Failures"))
        if successes is None or failures is None:
            return None
        passed, failed = passed + successes, failed + failures
    checked = passed + failed
    return Fraction(100 * passed, checked) if checked else None


def report_score(inputs: ScoreInputs) -> Fraction | None:
    """The score a report carries, or None when it is not understood."""
    readers: tuple[Callable[[], Fraction | None], ...] = (
        lambda: _percentage(inputs.popeye_score),
        lambda: _kube_bench(inputs.kube_bench_totals),
        lambda: _percentage(inputs.kubescape_score),
        lambda: _trivy(inputs.trivy_summaries),
        lambda: _percentage(inputs.score),
    )
    return next((found for read in readers if (found := read()) is not None), None)


def grade(score: int) -> str:
    return next((letter for bound, letter in GRADES if score >= bound), "F")


def round_half_up(value: Fraction) -> int:
    return math.floor(value + Fraction(1, 2))


def cluster_score(reports: list[ScoreInputs]) -> ClusterScore | None:
    """The mean score of the understood reports, rounded half up, or None if none is."""
    scores = [s for s in map(report_score, reports) if s is not None]
    if not scores:
        return None
    score = round_half_up(sum(scores, Fraction(0)) / len(scores))
    return ClusterScore(score, grade(score))
