#!/usr/bin/env python3
"""The batch benchmarks (bench/benchkit/batch.py): `bench/batch_run.py [--quick]`.
Stdlib only; children use the venv (REVKA_BENCH_VENV, default ./.venv). Results also go to
bench/results/batch.json. Exit 0 when every budget holds, 1 when one fails."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from benchkit.batch import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main())
