"""Benchmarks of MedStock at scale, run by `make bench`; not part of the test suite."""
