"""Benchmarks: `python -m bench` runs them all (`--only NAME` for one); JSON in bench/results/."""
