"""yspbx benchmarks: ``python -m bench`` runs them all, ``python -m bench NAME [options]`` one.

Benchmarks measure; they never run in ``make test`` (a smoke test only checks that each runs).
Figures, machine and commands are recorded in ``docs/benchmarks.md``.
"""
