"""The figures of a load or fault run: rates, percentiles, the failures the clients saw and
the problems the servers logged."""

import statistics

from _load_clients import Run, Sample

LOCKED = "database is locked"


def percentile(values: list[float], share: float) -> float:
    if not values:
        return float("nan")
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[round(share * 100) - 1]


def rate(samples: list[Sample], run: Run) -> float:
    """Good requests per second: all that succeeded over the time from the run's start to
    the last one's end (clients start no new request after `run.seconds`, and the ones in
    flight then are waited for)."""
    good = [s for s in samples if s.ok]
    if not good:
        return 0.0
    end = max(s.started + s.ms / 1000 for s in run.samples)
    return len(good) / max(end - run.started, run.seconds)


def latency_line(label: str, samples: list[Sample], run: Run) -> str:
    good = [s.ms for s in samples if s.ok]
    failed = len(samples) - len(good)
    return (f"{label:26} {rate(samples, run):7.1f} /s   p50 {percentile(good, .5):6.0f} ms"
            f"   p95 {percentile(good, .95):6.0f} ms   max {max(good, default=float('nan')):6.0f}"
            f" ms   ({len(good)} ok, {failed} failed)")


def failures(samples: list[Sample]) -> dict[str, int]:
    counted: dict[str, int] = {}
    for sample in samples:
        if not sample.ok:
            key = f"{sample.kind}: {sample.error}" + ("" if sample.clean else " (NOT clean)")
            counted[key] = counted.get(key, 0) + 1
    return counted


def server_problems(logs: str) -> dict[str, int]:
    """What the servers' output says went wrong: locks, tracebacks, 5xx logged by Django."""
    return {
        "database is locked": logs.count(LOCKED),
        "tracebacks in the log": logs.count("Traceback (most recent call last)"),
    }
