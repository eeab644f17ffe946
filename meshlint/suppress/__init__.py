"""Suppressions: comments, annotations, config ``ignore:`` entries and baselines.

The loader reads the comments (:mod:`meshlint.loader.comments`); the filter is
:mod:`meshlint.suppress.apply`.
"""
