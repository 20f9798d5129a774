"""The library behind bench/run: child processes and their timing (`procs`), statistics and
results (`stats`), the isolated workspace and fake servers (`workspace`, `servers`), the commands a
benchmark runs (`commands`), the benchmarks themselves (`startup`, `streams`, `doctor`) and the
tables (`report`). Stdlib only: bench/run may run under any Python 3.9+, its children use the venv.
"""
