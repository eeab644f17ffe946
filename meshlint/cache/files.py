"""File entries: what reading one file gave, keyed by everything that changes it.

The key is the file's path and content, the version of meshlint's code, the reading
options (default namespace, limits) and what the file's place tells the loader (a chart's
template, a tool's configuration). Resources come back as :class:`StoredResource`, whose
body is decoded on first use: a rerun whose rules are all answered from the cache never
builds most of them.
"""

from __future__ import annotations

import marshal

from meshlint.cache.encoding import Unencodable, canonical, decode, digest, encode
from meshlint.cache.keys import code_version
from meshlint.cache.store import Store
from meshlint.core.nodes import PMap
from meshlint.loader.comments import CommentDirective, FileDirectives
from meshlint.loader.documents import InputProblem, LoadedFile
from meshlint.loader.nonmanifest import chart_root, role
from meshlint.loader.sources import SourceText
from meshlint.loader.yaml_reader import Limits
from meshlint.mesh.evidence import is_gateway_workload
from meshlint.mesh.workloads import workload_of
from meshlint.model import Resource

KIND = "files"
_BODY = Resource.__dict__["body"]


class StoredResource(Resource):
    """A resource read from a file entry: its body is decoded when first read.
    ``content`` names it in rule entries' keys; ``gateway_workload`` says whether it
    defines a gateway workload (evidence the keys need without decoding every workload)."""

    __slots__ = ("_packed", "content", "gateway_workload")

    def __init__(self, packed: bytes, content: bytes, gateway_workload: bool, **fields) -> None:
        super().__init__(body=None, **fields)
        self._packed = packed
        #: A digest of the resource's body (values and spans) and place.
        self.content = content
        self.gateway_workload = gateway_workload

    @property
    def body(self) -> PMap:
        packed = self._packed
        if packed is not None:
            _BODY.__set__(self, decode(marshal.loads(packed)))
            self._packed = None
        return _BODY.__get__(self)

    @body.setter
    def body(self, value: PMap) -> None:
        _BODY.__set__(self, value)
        self._packed = None


def defines_gateway(resource: Resource) -> bool:
    """Whether a resource defines a workload that runs an Istio gateway."""
    if isinstance(resource, StoredResource):
        return resource.gateway_workload
    workload = workload_of(resource)
    return workload is not None and is_gateway_workload(workload)


def file_key(source: SourceText, namespace: str, limits: Limits) -> str:
    """The name of the entry for one source as read with these options."""
    path = source.path
    return digest(
        code_version(),
        KIND,
        path,
        source.text or "",
        namespace,
        canonical(limits),
        repr((role(path), chart_root(path) is not None, source.rendered is not None)),
    ).hex()


class FileEntries:
    """Reading and writing file entries in a store."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def get(self, key: str) -> LoadedFile | None:
        value = self.store.get(KIND, key)
        if value is None:
            return None
        try:
            return _loaded(value)
        except (ValueError, TypeError, IndexError, KeyError):
            return None

    def put(self, key: str, loaded: LoadedFile) -> list[bytes] | None:
        """Store what reading a file gave; the content digest of each of its resources
        (None when it cannot be stored)."""
        try:
            value = _value(loaded)
        except (Unencodable, ValueError):
            return None
        self.store.put(KIND, key, value)
        return [item[16] for item in value[2]]


def _value(loaded: LoadedFile) -> tuple:
    index = {id(r): i for i, r in enumerate(loaded.resources)}
    problems = []
    for p in loaded.problems:
        if p.resource is not None and id(p.resource) not in index:
            raise Unencodable("a problem on a resource of another file")
        where = -1 if p.resource is None else index[id(p.resource)]
        problems.append((p.rule, p.message, p.file, p.span, where, tuple(p.path), p.minor))
    return (
        loaded.path,
        loaded.parsed,
        tuple(_resource_value(r) for r in loaded.resources),
        tuple(problems),
        None if loaded.comments is None else _comments_value(loaded.comments),
    )


def _resource_value(r: Resource) -> tuple:
    packed = marshal.dumps(encode(r.body))
    return (
        r.api_version,
        r.kind,
        r.namespace,
        r.name,
        r.file,
        r.document,
        r.helm_source,
        r.linted,
        r.namespace_defaulted,
        r.cluster,
        r.partial,
        r.generated_by,
        tuple(r.labels.items()),
        tuple(r.annotations.items()),
        packed,
        defines_gateway(r),
        digest("resource", r.file, str(r.document), r.helm_source or "", packed),
    )


def _comments_value(comments: FileDirectives) -> tuple:
    def one(d: CommentDirective) -> tuple:
        return (d.names, d.reason, d.line, d.target)

    return (
        tuple(map(one, comments.file_wide)),
        tuple((line, tuple(map(one, ds))) for line, ds in comments.by_line.items()),
    )


def _loaded(value: tuple) -> LoadedFile:
    path, parsed, resources, problems, comments = value
    loaded = LoadedFile(path, parsed=parsed)
    for item in resources:
        (api_version, kind, namespace, name, file, document, helm, linted, defaulted) = item[:9]
        cluster, partial, generated, labels, annotations, packed, gateway, content = item[9:]
        loaded.resources.append(
            StoredResource(
                packed,
                content,
                gateway,
                api_version=api_version,
                kind=kind,
                namespace=namespace,
                name=name,
                file=file,
                document=document,
                helm_source=helm,
                linted=linted,
                namespace_defaulted=defaulted,
                cluster=cluster,
                partial=partial,
                generated_by=generated,
                _labels=dict(labels),
                _annotations=dict(annotations),
            )
        )
    for rule, message, file, span, where, path, minor in problems:
        resource = None if where < 0 else loaded.resources[where]
        loaded.problems.append(InputProblem(rule, message, file, span, resource, path, minor))
    if comments is not None:
        file_wide, by_line = comments
        loaded.comments = FileDirectives(
            [CommentDirective(*d) for d in file_wide],
            {line: [CommentDirective(*d) for d in ds] for line, ds in by_line},
        )
    return loaded
