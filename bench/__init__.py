"""Benchmarks: `make bench`. Results go to bench/results/."""
