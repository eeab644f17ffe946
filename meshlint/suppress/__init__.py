"""Suppressions: comments, annotations, config ``ignore:`` entries and baselines.

The package root imports nothing, so the loader can use :mod:`meshlint.suppress.comments`
without pulling in the engine; the filter itself is :mod:`meshlint.suppress.apply`.
"""
