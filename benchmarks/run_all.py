"""The whole benchmark suite in one command, sharing one folder of generated data.

    python benchmarks/run_all.py            # 30,000 developments, and 300,000 for the page
                                            # and memory: about 10 minutes on 2 cores
    python benchmarks/run_all.py --quick    # 3,000 and 30,000: about a minute

Runs bench_log.py (import, the log alone, append, start-up), bench_tables.py (rebuild,
the faceted page, import and rebuild memory), bench_exports.py (exports and their
memory) and bench_hsg.py (the Office of the Historian's import against the JSON Lines
import of the same developments), each printing its table of figures and ratios
against a baseline measured in the same run. The databases are imported once and
reused by the later scripts.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench_exports
import bench_hsg
import bench_log
import bench_tables


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=30_000, help="developments for the speeds")
    parser.add_argument(
        "--big", type=int, default=300_000, help="developments for the page and memory"
    )
    parser.add_argument("--quick", action="store_true", help="--n 3000 --big 30000")
    parser.add_argument("--work", metavar="DIR", help="keep and reuse data and databases here")
    args = parser.parse_args(argv)
    if args.quick:
        args.n, args.big = 3_000, 30_000
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="timeline-bench-") as name:
        work = Path(args.work or name)
        work.mkdir(parents=True, exist_ok=True)
        size = ["--n", str(args.n)]
        both = [*size, "--big", str(args.big), "--work", str(work)]
        # The Historian's full collections are one size: --quick takes a quarter, once.
        hsg = ["--trips", "1000", "--visits", "800", "--runs", "1"] if args.quick else []
        for title, run in (
            # With a bytecode cache: an installed timeline has its .pyc files, as the
            # sqlite-utils it is compared with has (an editable install in an environment
            # with PYTHONDONTWRITEBYTECODE would compile its sources at every start).
            ("bench_log.py", lambda: bench_log.main([*size, "--budget", "90", "--bytecode-cache"])),
            ("bench_tables.py", lambda: bench_tables.main(both)),
            ("bench_exports.py", lambda: bench_exports.main(both)),
            ("bench_hsg.py", lambda: bench_hsg.main(hsg)),
        ):
            print(f"\n=== {title} ===\n", flush=True)
            run()
            sys.stdout.flush()
    print(f"\nrun_all: {time.perf_counter() - started:.0f} s in all")


if __name__ == "__main__":
    main()
