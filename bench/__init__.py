"""Load benchmarks of fanhub's busiest pages (see bench/README.md)."""
