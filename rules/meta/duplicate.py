"""Two inputs must not define the same object."""

from meshlint.engine.finding import Severity
from meshlint.engine.rule import Rule, related_to
from meshlint.mesh.patch_fragments import is_patch_fragment


class DuplicateResource(Rule):
    """Two documents define the same object (kind, namespace and name).

    ## What it does
    Reports the copy applied last, naming the other copies. Every copy is still linted
    on its own, and a reference that any copy satisfies (a subset defined in either
    DestinationRule) is found.

    Copies in different files that both leave out `metadata.namespace` are not reported:
    such files are usually applied to different namespaces (`kubectl apply -n`). Nor are
    kustomize patches: a patch is merged into the object it names, and never replaces it
    in the mesh either.

    ## Why it matters
    The API server keeps one object per identity: applied together, the later copy
    silently replaces the earlier one, and whatever only the earlier one said is gone.
    Alternative versions of a route, or a kustomize base beside its rendered overlay,
    are better kept apart (in separate folders or linted separately).

    ## Example
    ```yaml
    apiVersion: v1
    kind: Service
    metadata:
      name: reviews
    spec:
      ports: [{name: http, port: 9080}]
    ---
    apiVersion: v1
    kind: Service
    metadata:
      name: reviews  # <-
    spec:
      ports: [{name: http, port: 9081}]
    ```

    ## Use instead
    ```yaml
    apiVersion: v1
    kind: Service
    metadata:
      name: reviews
    spec:
      ports: [{name: http, port: 9080}]
    ```
    """

    id = "ML010"
    name = "duplicate-resource"
    severity = Severity.WARNING
    category = "input"

    def check(self, mesh):
        reported: set[tuple] = set()
        for copy in mesh.shadowed:
            winner = mesh.get_key(copy.key)
            if winner is None or copy.key in reported or not (winner.linted and copy.linted):
                continue
            reported.add(copy.key)
            others = [c for c in mesh.copies(winner) if c is not winner and _clash(winner, c)]
            if not others:
                continue
            where = ", ".join(sorted({c.file for c in others}))
            yield self.report(
                winner,
                ("metadata", "name"),
                f"{winner.ref} is also defined in {where}: applied together, "
                "only the last copy is kept",
                related=[related_to(c, message=f"other copy of {c.ref}") for c in others],
            )


def _clash(winner, copy) -> bool:
    """Whether two copies land on the same object: not when one is a kustomize patch, nor
    when both are in files of their own without a namespace (each may be applied with its
    own ``-n``)."""
    if not copy.linted or is_patch_fragment(copy) or is_patch_fragment(winner):
        return False
    return winner.file == copy.file or not (winner.namespace_defaulted and copy.namespace_defaulted)
