"""meshlint's persistent cache: a rerun reuses what its inputs did not change.

Two kinds of entries, both in the user's cache directory, never in the repository:

- a file entry (:mod:`meshlint.cache.files`): what reading one file gave (its resources,
  positioned, and its input problems), keyed by its content and everything that changes
  its reading;
- a rule entry (:mod:`meshlint.cache.rules`): the findings of one rule, keyed by a digest
  of exactly what the rule reads.

Every entry is authenticated (:mod:`meshlint.cache.store`); one that fails the check is
ignored and written again. The cache never changes a result: when in doubt, a file is read
again and a rule run again.
"""
