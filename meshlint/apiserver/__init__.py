"""What the Kubernetes API server checks beyond plain JSON Schema, read from the bundled schemas.

``plan`` compiles a kind's schema once into a tree of :class:`~plan.SchemaNode` (lazily, per
kind); the checks walk a document along that tree: unknown fields that the API server would
prune (``fields``), CEL ``x-kubernetes-validations`` rules (``rules``), and the uniqueness of
``x-kubernetes-list-type`` lists (``lists``). ``api_versions`` knows which apiVersions are
served, deprecated or removed, and ``yaml11`` how Kubernetes' Go YAML reads a scalar.
"""
