"""Benchmark of the pure ingestion core (no database): read + detect + normalise speed.

    .venv/bin/python bench/ingest_core.py                    # 100k and 1M rows
    .venv/bin/python bench/ingest_core.py --rows 250000 --encoding cp1252

Generates a decimal-comma, semicolon CSV as German partners send it ("1.234,56", dd.mm.yyyy,
an umlaut in every customer name), then in a fresh process per size times `inspect()`,
`propose_mapping()` and `normalise()` including the COPY-ready CSV of every chunk
(`Chunk.copy_csv()`, what the caller streams into PostgreSQL), and reports rows/s and the
process's peak RSS. Memory should stay flat as the file grows: only one chunk
(`--chunk-rows`) is in memory at a time. A real COPY is measured by bench/ingest.py.
"""

import argparse
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SKUS = ["AN-SW-24P", "AN-SW-48P", "AN-AP-6E", "AN-AP-7", "AN-FW-100", "AN-FW-500"]
CUSTOMERS = ["Bäckerei Groß KG", "Müller Maschinenbau GmbH", "Weiß & Söhne AG", "Klinikum Süd"]


def german_money(cents: int) -> str:
    sign = "-" if cents < 0 else ""
    whole, fraction = divmod(abs(cents), 100)
    return f"{sign}{whole:,}".replace(",", ".") + f",{fraction:02d}"


def generate(path: Path, rows: int, encoding: str) -> None:
    """A `rows`-line report like mueller_verkauf_2026-09.csv, written in blocks."""
    randomness = random.Random(rows)
    with path.open("w", encoding=encoding, newline="") as handle:
        handle.write(
            "Rechnungsnummer;Rechnungsdatum;Endkunde;Artikelnummer;Menge;Einzelpreis;"
            "Gesamtpreis;Währung\r\n"
        )
        block = []
        for index in range(rows):
            quantity = randomness.randint(-3, 50) or 1
            price = randomness.randint(1_000, 900_000)
            block.append(
                f"MUE-{index:07d};{randomness.randint(1, 28):02d}.09.2026;"
                f"{CUSTOMERS[index % len(CUSTOMERS)]} {index % 97};{SKUS[index % len(SKUS)]};"
                f"{quantity};{german_money(price)};{german_money(quantity * price)};EUR\r\n"
            )
            if len(block) == 50_000:
                handle.write("".join(block))
                block = []
        handle.write("".join(block))


def measure(path: Path, chunk_rows: int) -> dict:
    """Run the core on one file (in this process) and return the figures."""
    sys.path.insert(0, str(REPO))
    from reporting.ingest import inspect, normalise, propose_mapping

    baseline_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
    started = time.perf_counter()
    info = inspect(path, path.name)
    proposal = propose_mapping(info, known_vendor_skus=set(SKUS))
    detected = time.perf_counter()
    lines = errors = chunks = copy_bytes = 0
    for chunk in normalise(
        path,
        info,
        proposal,
        partner_slug="mueller",
        vendor_skus=SKUS,
        chunk_rows=chunk_rows,
    ):
        copy_bytes += len(chunk.copy_csv())
        lines += chunk.lines.height
        errors += chunk.errors.height
        chunks += 1
    finished = time.perf_counter()
    return {
        "rows": lines + errors,
        "lines": lines,
        "errors": errors,
        "chunks": chunks,
        "certain": proposal.certain,
        "encoding": info.encoding,
        "file_mb": round(path.stat().st_size / 2**20, 1),
        "detect_s": round(detected - started, 3),
        "normalise_s": round(finished - detected, 3),
        "total_s": round(finished - started, 3),
        "rows_per_s": int(lines / (finished - started)),
        "copy_mb": round(copy_bytes / 2**20, 1),
        "baseline_rss_mb": baseline_rss,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, action="append", help="rows per file (repeatable)")
    parser.add_argument("--encoding", default="utf-8", help="file encoding (utf-8, cp1252)")
    parser.add_argument("--chunk-rows", type=int, default=100_000)
    parser.add_argument("--measure", type=Path, help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.measure:
        print(json.dumps(measure(arguments.measure, arguments.chunk_rows)))
        return 0

    sizes = arguments.rows or [100_000, 1_000_000]
    print(
        f"{'rows':>10} {'MB':>6} {'detect s':>9} {'normalise s':>12} {'rows/s':>10} "
        f"{'peak RSS MB':>12}  encoding"
    )
    with tempfile.TemporaryDirectory() as directory:
        for rows in sizes:
            path = Path(directory) / f"verkauf_{rows}.csv"
            generate(path, rows, arguments.encoding)
            child = subprocess.run(
                [
                    sys.executable,
                    __file__,
                    "--measure",
                    str(path),
                    "--chunk-rows",
                    str(arguments.chunk_rows),
                ],
                capture_output=True,
                text=True,
                check=True,
            )
            figures = json.loads(child.stdout.strip().splitlines()[-1])
            assert figures["certain"] and figures["errors"] == 0, figures
            print(
                f"{figures['rows']:>10,} {figures['file_mb']:>6} {figures['detect_s']:>9} "
                f"{figures['normalise_s']:>12} {figures['rows_per_s']:>10,} "
                f"{figures['peak_rss_mb']:>12}  {figures['encoding']}"
            )
            path.unlink()
    return 0


if __name__ == "__main__":
    sys.exit(main())
