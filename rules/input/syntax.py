"""YAML that does not parse, or parses differently than Kubernetes reads it."""

from meshlint.engine.finding import Severity
from meshlint.engine.rule import Rule


class YamlSyntax(Rule):
    """The file is not valid YAML or JSON.

    ## What it does
    Reports the parser's error at its line and column. Documents before the error are still
    linted; the rest of the file is not.

    ## Why it matters
    `kubectl apply` rejects the file, and nothing after the error was checked.

    ## Example
    ```yaml
    apiVersion: v1
    kind: Service
    metadata:
      name: reviews
        namespace: default  # <-
    ```

    ## Use instead
    ```yaml
    apiVersion: v1
    kind: Service
    metadata:
      name: reviews
    ```
    """

    id = "ML003"
    name = "yaml-syntax"
    severity = Severity.ERROR
    category = "input"
    input_rule = True


class DuplicateKey(Rule):
    """A mapping has the same key twice.

    ## What it does
    Reports the second occurrence of a key in one mapping.

    ## Why it matters
    The Kubernetes API server rejects duplicate keys, and YAML tools disagree on which value
    wins, so what you review is not what gets applied.

    ## Example
    ```yaml
    apiVersion: v1
    kind: Service
    metadata:
      name: reviews
      name: ratings  # <-
    ```

    ## Use instead
    ```yaml
    apiVersion: v1
    kind: Service
    metadata:
      name: reviews
    ```
    """

    id = "ML004"
    name = "duplicate-key"
    severity = Severity.ERROR
    category = "input"
    input_rule = True


class InputLimit(Rule):
    """A document exceeded a safety limit (nesting depth, document count) and was skipped.

    ## What it does
    Stops reading a document nested deeper than the limit, or a file with more documents
    than the limit, and says where.

    ## Why it matters
    Real manifests are shallow; extreme nesting is a sign of generated or hostile input.
    """

    id = "ML005"
    name = "input-limit"
    severity = Severity.WARNING
    category = "input"
    input_rule = True
