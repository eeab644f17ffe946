"""The base of the semantic validation rules: what Istio's webhook rejects or warns about
beyond the CRD schema. A rule lists ``(path, message)`` issues; the base reports them."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from meshlint.engine.finding import Finding
from meshlint.engine.rule import Equivalents, Rule
from meshlint.fieldpath import get
from meshlint.mesh.index import Mesh
from meshlint.model import Resource
from meshlint.validation import Issue

ISTIO_GROUPS = frozenset(
    {"networking.istio.io", "security.istio.io", "telemetry.istio.io", "extensions.istio.io"}
)
#: Istio's message codes for webhook rejections and webhook warnings.
REJECTED = Equivalents(istio="IST0106")
WARNED = Equivalents(istio="IST0133")


class SemanticRule(Rule):
    """A per-resource check of Istio kinds (Gateway API kinds of the same name are skipped).

    Subclasses implement :meth:`issues`, yielding ``(path, message)`` with absolute paths,
    or ``(path, message, True)`` to point at the key of the last path segment (done
    anyway for fields holding a mapping or a list).
    """

    category = "schema"

    def check_resource(self, resource: Resource, mesh: Mesh) -> Iterable[Finding]:
        if resource.group not in ISTIO_GROUPS:
            return
        for path, message, *key in self.issues(resource):
            yield self.report(
                resource, path, message, key=bool(key and key[0]) or _block(resource, path)
            )

    def issues(self, resource: Resource) -> Iterator[Issue]:
        raise NotImplementedError


def _block(resource: Resource, path: tuple) -> bool:
    """Whether ``path`` names a mapping or list field: findings point at its key, on the
    line where the field starts."""
    return (
        bool(path)
        and isinstance(path[-1], str)
        and isinstance(get(resource.body, tuple(path)), dict | list)
    )


def below(base: tuple, issues: Iterable[Issue]) -> Iterator[Issue]:
    """Issues of a nested block, with paths made absolute."""
    for path, message in issues:
        yield ((*base, *(path if isinstance(path, tuple) else (path,))), message)
