"""The cfaccounts benchmark: ``python -m bench`` (see docs/benchmarks.md)."""
