"""Common Expression Language (CEL) with the Kubernetes extension library.

The CRDs meshlint validates carry CEL rules (``x-kubernetes-validations``). Expressions are
compiled once by the ``common-expression-language`` package (a Rust CEL interpreter) and
evaluated with the functions Kubernetes adds to CEL (IP addresses, CIDRs, URLs, quantities,
string and list helpers, the ``format`` library), written here in Python.
"""

from meshlint.cel.program import CelError, Expression, Scope, compile_expression

__all__ = ["CelError", "Expression", "Scope", "compile_expression"]
