"""The pair model, as matcher solved allocations before the class model: candidates, greedy, model, tiers.

Only the benchmarks use it (the ``pair-model`` and ``highs`` peers give the "before" figures in the same
run); nothing under ``src/`` imports it.
"""
