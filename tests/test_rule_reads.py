"""Every rule reads only the kinds it declares: the cache keys a rule's findings on those
kinds (and the language server re-checks a rule only when one of them changed), so a rule
that looked up an undeclared kind would be answered from a stale entry.

Each rule runs over its own documented examples and over a rich corpus (the examples of
every rule, the repository's examples and fixtures, ../shared when present), in a mesh
that records every kind the rule looks up. What every rule may consult about the whole
mesh (the namespaces seen, the evidence) is in every rule's key and is not recorded.
"""

from __future__ import annotations

import pytest

from meshlint.cache import reads
from meshlint.config.policy_files import pack_rules
from meshlint.engine.docs import examples
from meshlint.engine.registry import builtin_rules, input_rule
from meshlint.loader.documents import load_source
from meshlint.loader.sources import DEFAULT_MAX_FILE_SIZE, SourceText, discover, read
from meshlint.mesh.generated import generated_resources
from meshlint.mesh.index import Mesh
from meshlint.mesh.settings import MeshSettings
from meshlint.mesh.workloads import WORKLOAD_KINDS
from meshlint.pipeline.runner import run_rules

from conftest import REPO, SHARED

RULES = [r for r in (*builtin_rules(), *pack_rules()) if not r.input_rule]
EVERYTHING = "every kind"
WHOLE = "the whole mesh"


class _Kinds(dict):
    """The mesh's resources by kind, noting each kind asked for."""

    def __init__(self, data: dict, log: set) -> None:
        super().__init__(data)
        self.log = log

    def get(self, kind, default=None):
        self.log.add(kind)
        return super().get(kind, default)

    def __getitem__(self, kind):
        self.log.add(kind)
        return super().__getitem__(kind)

    def __iter__(self):
        self.log.add(EVERYTHING)
        return super().__iter__()

    def values(self):
        self.log.add(EVERYTHING)
        return super().values()

    def items(self):
        self.log.add(EVERYTHING)
        return super().items()


class _Keys(dict):
    """The mesh's resources by identity, noting the kind of each identity asked for."""

    def __init__(self, data: dict, log: set) -> None:
        super().__init__(data)
        self.log = log

    def get(self, key, default=None):
        self.log.add(key[1])
        return super().get(key, default)

    def __getitem__(self, key):
        self.log.add(key[1])
        return super().__getitem__(key)

    def __contains__(self, key):
        self.log.add(key[1])
        return super().__contains__(key)

    def values(self):
        self.log.add(EVERYTHING)
        return super().values()


class _All(list):
    """Every resource of the mesh: reading them is reading every kind."""

    def __init__(self, data: list, log: set) -> None:
        super().__init__(data)
        self.log = log

    def __iter__(self):
        self.log.add(EVERYTHING)
        return super().__iter__()

    def __getitem__(self, index):
        self.log.add(EVERYTHING)
        return super().__getitem__(index)


class _Index:
    """A shared index of the mesh, noting the kinds it was built from when used."""

    def __init__(self, index: object, kinds: tuple[str, ...], log: set) -> None:
        self._index, self._kinds, self._log = index, kinds, log

    def __getattr__(self, name: str):
        self._log.update(self._kinds)
        return getattr(self._index, name)


class _Seen(frozenset):
    """The namespaces seen, noting that they were read."""

    log: set

    def __contains__(self, item) -> bool:
        self.log.add(WHOLE)
        return super().__contains__(item)

    def __iter__(self):
        self.log.add(WHOLE)
        return super().__iter__()


def recording_mesh(resources, settings: MeshSettings, log: set) -> Mesh:
    """A mesh noting the kinds looked up in ``log``, and ``WHOLE`` when the namespaces
    seen or the evidence are read (every rule's key holds them; a local rule reads
    neither). The resources a rule is given to check are not noted."""
    mesh = Mesh(resources, settings)
    seen = _Seen(mesh.namespaces_seen)
    seen.log = log
    mesh.__dict__["namespaces_seen"] = seen
    mesh.__dict__["evidence"] = _Index(mesh.evidence, (WHOLE,), log)
    by_kind, resources = mesh._by_kind, mesh.resources

    def checked_by(rule, among=None):
        kinds = rule.checked_kinds()
        if among is not None:
            return [r for r in among if r.kind in kinds] if kinds else among
        return [r for k in kinds for r in by_kind.get(k, ())] if kinds else list(resources)

    mesh.checked_by = checked_by
    for name, kinds in (
        ("services", ("Service", "ServiceEntry")),
        ("workloads", WORKLOAD_KINDS),
        ("_dr_hosts", ("DestinationRule",)),
        ("_services_by_namespace", ("Service",)),
    ):
        mesh.__dict__[name] = _Index(getattr(mesh, name), kinds, log)
    mesh._by_kind = _Kinds(mesh._by_kind, log)
    mesh._by_key = _Keys(mesh._by_key, log)
    mesh.resources = _All(mesh.resources, log)
    return mesh


def _loaded(source: SourceText) -> list:
    return load_source(source, "default").resources


def _corpus() -> list:
    texts = [
        (f"example-{rule.id}-{section}-{i}.yaml", example.text)
        for rule in RULES
        for section in ("Example", "Use instead")
        for i, example in enumerate(examples(rule, section))
    ]
    resources = [r for name, text in texts for r in _loaded(SourceText(name, text))]
    folders = [REPO / "examples", REPO / "tests" / "fixtures"]
    folders += [SHARED / "realworld"] if (SHARED / "realworld").is_dir() else []
    for path in discover([str(f) for f in folders]):
        resources += _loaded(read(path, DEFAULT_MAX_FILE_SIZE))
    return resources


def _own_examples(rule) -> list[list]:
    return [
        _loaded(SourceText("example.yaml", example.text))
        for section in ("Example", "Use instead")
        for example in examples(rule, section)
    ]


CORPUS = _corpus()


def kinds_read(rule, resources) -> set[str]:
    log: set[str] = set()
    resources = [*resources, *generated_resources(resources)]
    settings = MeshSettings()
    mesh = recording_mesh(resources, settings, log)
    log.clear()
    findings = run_rules(mesh, [rule()])
    crashes = [f.message for f in findings if f.rule is input_rule("internal-error")]
    assert not crashes, crashes
    return log


def _read_by(rule) -> set[str]:
    read: set[str] = set()
    for resources in [*_own_examples(rule), CORPUS]:
        read |= kinds_read(rule, resources)
    return read


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.id)
def test_a_rule_reads_only_the_kinds_it_declares(rule):
    if not rule.kinds:
        assert reads.kinds_read(rule) is None
        pytest.skip("declares every kind")
    read = _read_by(rule) - {WHOLE}
    undeclared = read - set(rule.kinds)
    assert not undeclared, (
        f"{rule.id} reads {sorted(undeclared)}: declare them (no kinds at all for every kind)"
    )
    assert set(rule.kinds) <= reads.kinds_read(rule)


@pytest.mark.parametrize("rule_id", sorted(reads.LOCAL_RULES))
def test_a_local_rule_reads_nothing_but_the_resource_it_checks(rule_id):
    [rule] = [r for r in RULES if r.id == rule_id]
    assert reads.is_local(rule), "per resource, declaring only kinds it checks"
    assert _read_by(rule) == set()


def test_the_recording_mesh_notes_lookups():
    log: set[str] = set()
    mesh = recording_mesh(CORPUS, MeshSettings(), log)
    log.clear()
    mesh.of_kind("Gateway")
    mesh.resolve_host("reviews.default.svc.cluster.local", "default")
    mesh.get("", "Namespace", "", "default")
    assert {"Gateway", "Service", "ServiceEntry", "Namespace"} <= log
    list(mesh.resources)
    assert EVERYTHING in log
