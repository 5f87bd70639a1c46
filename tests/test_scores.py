"""The score rules on their own: no database, inputs as the store hands them over."""

import json
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from service.scans.scores import ScoreInputs, cluster_score, grade, report_score

FIXTURES = Path(__file__).parent / "fixtures" / "scans"


def fixture(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text("utf-8"))


def raw(value: Any) -> str:
    return json.dumps(value)


def test_popeye_report() -> None:
    report = fixture("popeye.json")
    assert report_score(ScoreInputs(popeye_score=raw(report["popeye"]["score"]))) == 83


def test_kube_bench_report() -> None:
    totals = fixture("kube-bench.json")["Totals"]
    # Independent count of the fixture's results, which the totals must agree with.
    statuses = [
        r["status"]
        for control in fixture("kube-bench.json")["Controls"]
        for test in control["tests"]
        for r in test["results"]
    ]
    passed, failed, warned = (statuses.count(s) for s in ("PASS", "FAIL", "WARN"))
    assert (totals["total_pass"], totals["total_fail"], totals["total_warn"]) == (9, 2, 2)
    expected = Fraction(100 * passed, passed + failed + warned)
    assert report_score(ScoreInputs(kube_bench_totals=raw(totals))) == expected


def test_kubescape_report() -> None:
    summary = fixture("kubescape.json")["summaryDetails"]
    score = report_score(ScoreInputs(kubescape_score=raw(summary["complianceScore"])))
    assert score == Fraction("72.63")


@pytest.mark.parametrize("value", ["0", "100", "87", "87.25", "1e1", "-0"])
def test_any_object_with_a_score(value: str) -> None:
    assert report_score(ScoreInputs(score=value)) == Fraction(json.loads(value))


@pytest.mark.parametrize(
    "value",
    ["", "true", "false", "null", '"80"', "[80]", '{"score": 80}', "NaN", "Infinity",
     "-Infinity", "-0.01", "100.0001", "101", "1e999999", "-1e999999", "not json", "8 0"],
)  # fmt: skip
def test_values_that_are_not_scores(value: str) -> None:
    for inputs in (
        ScoreInputs(popeye_score=value),
        ScoreInputs(kubescape_score=value),
        ScoreInputs(score=value),
    ):
        assert report_score(inputs) is None


@pytest.mark.parametrize(
    "totals",
    [
        {"total_pass": 0, "total_fail": 0, "total_warn": 0, "total_info": 12},
        {"total_pass": 3, "total_fail": -1, "total_warn": 0},
        {"total_pass": 3, "total_fail": 1},
        {"total_pass": 3.0, "total_fail": 1, "total_warn": 0},
        {"total_pass": True, "total_fail": 1, "total_warn": 0},
        {"total_pass": "3", "total_fail": 1, "total_warn": 0},
        {"total_pass": None, "total_fail": 1, "total_warn": 0},
        [3, 1, 0],
        "3/4",
    ],
)
def test_kube_bench_totals_that_are_not_scores(totals: Any) -> None:
    assert report_score(ScoreInputs(kube_bench_totals=raw(totals))) is None


def test_kube_bench_ignores_info_and_may_be_exact() -> None:
    totals = {"total_pass": 1, "total_fail": 2, "total_warn": 0, "total_info": 40}
    assert report_score(ScoreInputs(kube_bench_totals=raw(totals))) == Fraction(100, 3)
    everything = {"total_pass": 10**30, "total_fail": 0, "total_warn": 0}
    assert report_score(ScoreInputs(kube_bench_totals=raw(everything))) == 100


def test_formats_are_tried_in_order_and_an_unreadable_one_falls_through() -> None:
    assert report_score(ScoreInputs(popeye_score="90", score="10")) == 90
    assert report_score(ScoreInputs(popeye_score="true", score="10")) == 10
    totals = raw({"total_pass": 1, "total_fail": 1, "total_warn": 0})
    assert report_score(ScoreInputs(kube_bench_totals=totals, kubescape_score="70")) == 50
    assert report_score(ScoreInputs(kube_bench_totals=raw({}), kubescape_score="70")) == 70
    assert report_score(ScoreInputs()) is None


@pytest.mark.parametrize(
    ("score", "letter"),
    [(100, "A"), (90, "A"), (89, "B"), (80, "B"), (79, "C"), (70, "C"), (69, "D"),
     (60, "D"), (59, "E"), (50, "E"), (49, "F"), (0, "F")],
)  # fmt: skip
def test_grades(score: int, letter: str) -> None:
    assert grade(score) == letter


@pytest.mark.parametrize(
    ("scores", "expected"),
    [
        (["80.1", "80.9"], 81),  # a mean of exactly 80.5 rounds up, floats would say 80.49..
        (["89.5"], 90),
        (["0.5"], 1),
        (["0.49"], 0),
        (["49.5"], 50),
        (["100", "0", "0"], 33),
        (["100", "100", "1"], 67),
    ],
)
def test_the_mean_is_rounded_half_up(scores: list[str], expected: int) -> None:
    result = cluster_score([ScoreInputs(score=s) for s in scores])
    assert result is not None
    assert result.score == expected
    assert result.grade == grade(expected)


def test_reports_that_carry_no_score_do_not_count() -> None:
    assert cluster_score([]) is None
    assert cluster_score([ScoreInputs(score="true"), ScoreInputs()]) is None
    result = cluster_score([ScoreInputs(score="true"), ScoreInputs(popeye_score="61")])
    assert result is not None
    assert (result.score, result.grade) == (61, "D")


def test_the_three_fixtures_together() -> None:
    result = cluster_score(
        [
            ScoreInputs(popeye_score=raw(fixture("popeye.json")["popeye"]["score"])),
            ScoreInputs(kube_bench_totals=raw(fixture("kube-bench.json")["Totals"])),
            ScoreInputs(
                kubescape_score=raw(fixture("kubescape.json")["summaryDetails"]["complianceScore"])
            ),
        ]
    )
    # (83 + 900/13 + 72.63) / 3 = 74.95..., which rounds to 75.
    assert result is not None
    assert (result.score, result.grade) == (75, "C")


hundredths = st.integers(min_value=0, max_value=10_000)


@settings(max_examples=200, deadline=None)
@given(st.lists(hundredths, min_size=1, max_size=8))
def test_mean_of_scores_matches_integer_arithmetic(values: list[int]) -> None:
    """Scores given with two decimals: the rounded mean in plain integer arithmetic."""
    texts = [f"{v // 100}.{v % 100:02d}" for v in values]
    result = cluster_score([ScoreInputs(score=t) for t in texts])
    # mean = sum / (100 n); half up = floor(mean + 1/2) = (2 sum + 100 n) // (200 n)
    n = len(values)
    expected = (2 * sum(values) + 100 * n) // (200 * n)
    assert result is not None
    assert result.score == expected


TRIVY = Path(__file__).parent / "fixtures" / "trivy"


def trivy(name: str) -> Any:
    return json.loads((TRIVY / name).read_text("utf-8"))


def misconf_summaries(report: Any) -> list[Any]:
    """Every MisconfSummary of a Trivy report, as the store hands them over."""
    results = list(report.get("Results") or [])
    for resource in report.get("Resources") or []:
        results += resource.get("Results") or []
    return [r["MisconfSummary"] for r in results if "MisconfSummary" in r]


@pytest.mark.parametrize(
    ("name", "expected"),
    # Counted by hand from the fixtures: config 79/94 (the report the issue quotes),
    # fs 37/44, image 24/27, k8s (five resources, one without a summary) 182/207.
    [("config.json", Fraction(7900, 94)), ("fs.json", Fraction(3700, 44)),
     ("image.json", Fraction(2400, 27)), ("k8s.json", Fraction(18200, 207))],
)  # fmt: skip
def test_trivy_reports(name: str, expected: Fraction) -> None:
    summaries = tuple(raw(s) for s in misconf_summaries(trivy(name)))
    assert report_score(ScoreInputs(trivy_summaries=summaries)) == expected


def test_a_trivy_report_without_misconfiguration_scanning_is_not_understood() -> None:
    assert misconf_summaries(trivy("image-vulns-only.json")) == []
    assert report_score(ScoreInputs(trivy_summaries=())) is None


@pytest.mark.parametrize(
    "summaries",
    [
        [{"Successes": 0, "Failures": 0}, {"Successes": 0, "Failures": 0, "Exceptions": 4}],
        [{"Successes": 3, "Failures": 1}, {"Successes": -1, "Failures": 1}],
        [{"Successes": 3, "Failures": 1}, {"Successes": 2}],
        [{"Successes": 3.0, "Failures": 1}],
        [{"Successes": True, "Failures": 1}],
        [{"Successes": "3", "Failures": 1}],
        [{"Successes": 3, "Failures": 1}, [3, 1]],
        [{"Successes": 3, "Failures": 1}, None],
    ],
)
def test_trivy_summaries_that_are_not_scores(summaries: list[Any]) -> None:
    fragments = tuple(raw(s) for s in summaries)
    assert report_score(ScoreInputs(trivy_summaries=fragments)) is None


def test_trivy_comes_after_kubescape_and_before_a_plain_score() -> None:
    summaries = (raw({"Successes": 1, "Failures": 3}),)
    assert report_score(ScoreInputs(kubescape_score="70", trivy_summaries=summaries)) == 70
    assert report_score(ScoreInputs(trivy_summaries=summaries, score="90")) == 25
    failing = (raw({"Successes": 0, "Failures": 0}),)
    assert report_score(ScoreInputs(trivy_summaries=failing, score="90")) == 90


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 10**6), st.integers(0, 10**6)), max_size=20))
def test_trivy_score_is_the_share_of_successes(counts: list[tuple[int, int]]) -> None:
    fragments = tuple(raw({"Successes": s, "Failures": f, "Exceptions": 0}) for s, f in counts)
    passed, failed = sum(s for s, _ in counts), sum(f for _, f in counts)
    expected = Fraction(100 * passed, passed + failed) if passed + failed else None
    assert report_score(ScoreInputs(trivy_summaries=fragments)) == expected
