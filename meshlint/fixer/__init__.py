"""``meshlint fix``: make the fixes rules offer, keeping comments and layout.

:mod:`~meshlint.fixer.run` lints and fixes to a fixed point; :mod:`~meshlint.fixer.apply`
makes one fix on a file's text, by ruamel.yaml round-trip
(:mod:`~meshlint.fixer.roundtrip`) or by splicing text at the reader's spans
(:mod:`~meshlint.fixer.splice`, also used by the language server and SARIF), and checks
the result (:mod:`~meshlint.fixer.verify`).
"""
