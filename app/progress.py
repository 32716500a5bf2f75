"""Progress of long jobs: a live line on a terminal, plain log lines otherwise."""

from __future__ import annotations

import logging
import sys
import time
from collections.abc import Callable

from data.ingest.pipeline import IngestSummary

log = logging.getLogger("catalog.progress")
LOG_EVERY_SECONDS = 5.0


def _duration(seconds: float) -> str:
    minutes, seconds = divmod(int(seconds), 60)
    return f"{minutes}m{seconds:02d}s" if minutes else f"{seconds}s"


class IngestProgress:
    """Call with the running summary; `fraction` tells how much of the input is done."""

    def __init__(self, fraction: Callable[[], float | None] = lambda: None, stream=sys.stderr):
        self.fraction, self.stream = fraction, stream
        self.live = stream.isatty()
        self.last_log = 0.0

    def __call__(self, summary: IngestSummary) -> None:
        line = self.line(summary)
        if self.live:
            self.stream.write("\r" + line.ljust(100))
            self.stream.flush()
        elif time.monotonic() - self.last_log >= LOG_EVERY_SECONDS:
            self.last_log = time.monotonic()
            log.info(line)

    def line(self, s: IngestSummary) -> str:
        text = (
            f"{s.seen:,} models  {s.rate:,.0f}/s  new {s.new:,}  updated {s.updated:,}  "
            f"unchanged {s.unchanged:,}  skipped {s.skipped:,}"
        )
        done = self.fraction()
        if done:
            eta = s.elapsed * (1 - done) / done
            text += f"  [{done:4.0%}, ETA {_duration(eta)}]"
        return text

    def close(self) -> None:
        if self.live:
            self.stream.write("\n")


def summary_text(s: IngestSummary) -> str:
    edges = " · ".join(f"{kind} {count:,}" for kind, count in sorted(s.relations.items())) or "none"
    lines = [
        f"Ingested {s.stored:,} of {s.seen:,} models in {_duration(s.elapsed)} ({s.rate:,.0f} models/s)",
        f"  new {s.new:,} · updated {s.updated:,} · unchanged {s.unchanged:,} · skipped {s.skipped:,}",
        f"  lineage edges: {edges}; self-loops dropped: {s.self_loops:,}; "
        f"unusable base_model values dropped: {s.dropped_relations:,}",
    ]
    if s.skipped:
        reasons = ", ".join(f"{reason} ({count:,})" for reason, count in s.skip_reasons.most_common())
        lines.append(f"  skipped because: {reasons}")
        lines += [f"    {where}: {reason}" for where, reason in s.skip_examples[:10]]
    return "\n".join(lines)


class StageProgress:
    """Call with (stage, done, total) of a job of several stages: a live line, or a log line every
    few seconds and at each new stage (the similarity's rebuild)."""

    def __init__(self, stream=sys.stderr):
        self.stream = stream
        self.live = stream.isatty()
        self.started = time.monotonic()
        self.last_log = 0.0
        self.stage = ""

    def __call__(self, stage: str, done: int, total: int | None) -> None:
        elapsed = _duration(time.monotonic() - self.started)
        line = f"{stage}: {done:,}" + (f" of {total:,} [{done / total:4.0%}]" if total else "") + f"  {elapsed}"
        if self.live:
            self.stream.write("\r" + line.ljust(100))
            self.stream.flush()
        elif stage != self.stage or time.monotonic() - self.last_log >= LOG_EVERY_SECONDS:
            self.last_log = time.monotonic()
            log.info(line)
        self.stage = stage

    def close(self) -> None:
        if self.live:
            self.stream.write("\n")
