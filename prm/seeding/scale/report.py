"""Timed phases of a seeding run: progress lines while it runs, a table at the end."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field


@dataclass
class Phase:
    name: str
    rows: int
    seconds: float

    @property
    def rows_per_second(self) -> int:
        return int(self.rows / self.seconds) if self.seconds > 0 else 0


@dataclass
class Report:
    """Timed phases of one seeding run, for the final summary and the bench's JSON."""

    log: Callable[[str], None] = print
    phases: list[Phase] = field(default_factory=list)

    @contextmanager
    def phase(self, name: str) -> Iterator[list[int]]:
        """Time a block; the block appends the rows it wrote to the yielded list."""
        rows: list[int] = []
        started = time.perf_counter()
        self.log(f"  {name} ...")
        yield rows
        seconds = time.perf_counter() - started
        done = Phase(name, sum(rows), seconds)
        self.phases.append(done)
        rate = f", {done.rows_per_second:,} rows/s" if done.rows else ""
        self.log(f"  {name}: {done.rows:,} rows in {seconds:.1f} s{rate}")

    def seconds(self, name: str) -> float:
        return sum(p.seconds for p in self.phases if p.name == name)

    def table(self) -> str:
        lines = [f"{'phase':<34}{'rows':>12}{'seconds':>10}{'rows/s':>12}"]
        for p in self.phases:
            rate = f"{p.rows_per_second:,}" if p.rows else "-"
            lines.append(f"{p.name:<34}{p.rows:>12,}{p.seconds:>10.1f}{rate:>12}")
        total_rows = sum(p.rows for p in self.phases)
        total = sum(p.seconds for p in self.phases)
        lines.append(
            f"{'total':<34}{total_rows:>12,}{total:>10.1f}"
            f"{int(total_rows / total) if total else 0:>12,}"
        )
        return "\n".join(lines)
