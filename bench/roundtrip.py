"""The long round-trip run: N generated reports (tests/roundtrip.py) and the samples.

    nice -n 10 .venv/bin/python bench/roundtrip.py --reports 10000 \
        > bench/results/roundtrip.json
    .venv/bin/python bench/roundtrip.py --seed 4711 --keep /tmp/rt   # one report, kept

For each generated report: did ingestion give back exactly the canonical lines, was the
proposal certain, and if it stopped for a person, was that fair (a person could not tell
either)? Prints the totals, the share that needed confirmation and why, and the same
figures per style dimension (format, language, date style, number style, cells), then
row count, certain and exactness for every sample report. No database: the pure core
(`check_upload`, `propose_mapping`, `normalise`), as the worker runs it.
"""

import argparse
import csv
import json
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from tests.roundtrip import check, generate, summarise  # noqa: E402


def by_dimension(outcomes, styles) -> dict:
    """Reports, rows, certain share and exact share per value of each style dimension."""
    dimensions = {
        "format": lambda s: s.file_format,
        "language": lambda s: s.language,
        "headers": lambda s: "abbreviated" if s.abbreviated else "full",
        "date style": lambda s: s.date_style,
        "number style": lambda s: s.number_style,
        "cells": lambda s: (
            ("typed" if s.typed_cells else "text")
            if s.file_format not in ("csv", "tsv", "txt")
            else s.encoding
        ),
        "layout": lambda s: (
            "cover sheet"
            if s.cover_sheet
            else "title+footer"
            if s.title_rows and s.footer
            else "title"
            if s.title_rows
            else "footer"
            if s.footer
            else "plain"
        ),
    }
    table = {}
    for name, key in dimensions.items():
        groups = defaultdict(list)
        for outcome, style in zip(outcomes, styles, strict=True):
            groups[key(style)].append(outcome)
        table[name] = {
            value: {
                "reports": len(group),
                "rows": sum(o.rows for o in group),
                "certain": round(sum(o.certain for o in group) / len(group), 4),
                "exact": round(sum(o.exact for o in group) / len(group), 4),
            }
            for value, group in sorted(groups.items())
        }
    return table


def samples() -> list[dict]:
    """The shared samples and the typed-cell workbooks: rows, certain, exact."""
    from reporting.ingest import check_upload, normalise, propose_mapping
    from tests.ingest.support import SAMPLES, aliases_for, as_export_rows, catalogue
    from tests.ingest.workbooks import northwind_xlsx

    partners = {
        "northwind_pos_2026-09.csv": "northwind",
        "mueller_verkauf_2026-09.csv": "mueller",
        "saigon_doanhso_2026-09.xlsx": "saigon",
        "lonestar_sales_sep.txt": "lonestar",
    }
    folder = Path(tempfile.mkdtemp(prefix="roundtrip-samples-"))
    files = [(SAMPLES / name, name, partner, name) for name, partner in partners.items()]
    files.append(
        (
            northwind_xlsx(folder / "northwind_pos_2026-09.xlsx"),
            "northwind_pos_2026-09.xlsx (date cells)",
            "northwind",
            "northwind_pos_2026-09.csv",
        )
    )
    results = []
    for path, label, partner, expected_name in files:
        info = check_upload(path, path.name, 50 << 20).info
        aliases = aliases_for(partner)
        proposal = propose_mapping(
            info, known_vendor_skus=catalogue(), known_partner_skus=set(aliases)
        )
        chunks = list(
            normalise(
                path,
                info,
                proposal,
                partner_slug=partner,
                vendor_skus=catalogue(),
                sku_aliases=aliases,
            )
        )
        rows = [row for chunk in chunks for row in as_export_rows(chunk.lines)[1:]]
        with (SAMPLES / "expected" / f"{expected_name}.csv").open(encoding="utf-8") as handle:
            expected = list(csv.reader(handle))[1:]
        results.append(
            {
                "file": label,
                "rows": len(rows),
                "certain": proposal.certain,
                "exact": rows == expected,
                "error_rows": sum(chunk.error_rows for chunk in chunks),
            }
        )
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reports", type=int, default=10_000)
    parser.add_argument("--start", type=int, default=0, help="first seed")
    parser.add_argument("--seed", type=int, help="run only this seed")
    parser.add_argument("--keep", type=Path, help="write the generated files here")
    arguments = parser.parse_args()
    seeds = (
        [arguments.seed]
        if arguments.seed is not None
        else range(arguments.start, arguments.start + arguments.reports)
    )
    directory = Path(tempfile.mkdtemp(prefix="roundtrip-"))
    outcomes, styles = [], []
    started = time.monotonic()
    for seed in seeds:
        report = generate(seed)
        if arguments.keep:
            arguments.keep.mkdir(parents=True, exist_ok=True)
            (arguments.keep / report.filename).write_bytes(report.data)
        outcomes.append(check(report, directory))
        styles.append(report.style)
    seconds = time.monotonic() - started
    summary = summarise(outcomes)
    failed = summary.pop("failed")
    total = summary["reports"]
    result = {
        "command": " ".join(sys.argv),
        "seconds": round(seconds, 1),
        **summary,
        "certain_share": round(summary["certain"] / total, 4),
        "confirmation_share": round(summary["asked"] / total, 4),
        "exact_share": round(summary["exact"] / total, 4),
        "failures": [
            {"seed": o.seed, "style": o.style, "reasons": o.reasons, "problem": o.problem}
            for o in failed
        ],
        "by_style": by_dimension(outcomes, styles),
        "samples": samples() if arguments.seed is None else [],
    }
    print(json.dumps(result, indent=1, ensure_ascii=False))
    print(
        f"{total} reports, {summary['rows']} rows in {seconds:.0f} s: "
        f"{result['exact_share']:.2%} exact, {result['certain_share']:.2%} certain, "
        f"{result['confirmation_share']:.2%} asked ({summary['asked_fairly']} fairly), "
        f"{len(failed)} failures",
        file=sys.stderr,
    )


if __name__ == "__main__":
    main()
