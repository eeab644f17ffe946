"""Rule entries: the findings of one rule, keyed by a digest of exactly what it reads.

A rule's digest covers its identity and the version of meshlint's code, its severity and
parameters, the mesh settings, what every rule may consult about the whole mesh (the
namespaces seen, the evidence of which kinds each namespace holds), and the resources of
each kind it reads (``kinds``, ``targets`` and :mod:`meshlint.cache.reads`). A rule that
declares no kinds, or whose messages suggest names from anywhere, is keyed on every
resource. A resource stands in a
digest by its content (values and spans) and place, from its file entry, or computed for
one that no file entry holds (assumed, generated, an editor's buffer).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from meshlint.cache.encoding import Unencodable, canonical, digest, encode
from meshlint.cache.files import defines_gateway
from meshlint.cache.keys import code_version
from meshlint.cache.reads import is_local, kinds_read
from meshlint.cache.store import Store
from meshlint.engine.finding import Finding, Location, Related, Severity
from meshlint.engine.fix import Edit, Fix
from meshlint.engine.registry import input_rule
from meshlint.engine.rule import Rule
from meshlint.mesh.evidence import Evidence
from meshlint.mesh.index import ASSUMED_FILE, Mesh
from meshlint.mesh.workloads import workload_of

if TYPE_CHECKING:
    from meshlint.cache.run import Placed
from meshlint.model import Resource

KIND = "rules"
_ABSENT = b"absent"


class Fingerprints:
    """A stable name for every resource of a run (see the module's docstring)."""

    def __init__(self, placed: Placed) -> None:
        self._placed = placed
        self._by_id: dict[int, bytes] = {}
        self.resources: dict[bytes, Resource | None] = {}

    def of(self, resource: Resource) -> bytes:
        known = self._by_id.get(id(resource))
        if known is not None:
            return known
        where = self._placed.get(resource)
        if where is None:
            try:
                where = digest(repr(encode(resource.body)))
            except Unencodable:
                where = f"unique:{id(resource)}".encode()
        mark = f":{resource.linted}:{resource.partial}:{resource.cluster}:{resource.kind}"
        name = where + mark.encode()
        self._by_id[id(resource)] = name
        # two resources with one name are ambiguous: findings on them are not stored
        self.resources[name] = None if name in self.resources else resource
        return name


def _canonical_kinds(mesh: Mesh, names: Fingerprints) -> dict[str, bytes]:
    groups: dict[str, list[bytes]] = {}
    for resource in mesh.resources:
        groups.setdefault(resource.kind, []).append(names.of(resource))
    for resource in mesh.shadowed:
        groups.setdefault(resource.kind, []).append(b"shadowed " + names.of(resource))
    return {kind: digest(*parts) for kind, parts in groups.items()}


def _whole_mesh(mesh: Mesh) -> bytes:
    """What any rule may consult about the whole mesh besides its kinds."""
    return digest(
        code_version(),
        canonical(mesh.settings),
        canonical(mesh.namespaces_seen),
        canonical(evidence(mesh)),
    )


def evidence(mesh: Mesh) -> Evidence:
    """``mesh.evidence``, without reading the bodies of workloads that file entries
    already say are not gateways."""
    if "evidence" in mesh.__dict__:
        return mesh.evidence
    given = [r for r in mesh.resources if r.file != ASSUMED_FILE and not r.generated_by]
    gateways = [w for r in given if defines_gateway(r) and (w := workload_of(r)) is not None]
    declared = any(g.declared for g in mesh.settings.gateways) or any(
        r.generated_by == "IstioOperator" for r in mesh.resources
    )
    return Evidence.of(given, gateways, declared_gateways=declared)


def rule_digest(rule: Rule, whole: bytes, kinds: dict[str, bytes], everything: bytes) -> str:
    cls = type(rule)
    read = kinds_read(cls)
    if read is None:
        parts = [everything]
    else:
        parts = [digest(kind, kinds.get(kind, _ABSENT)) for kind in sorted(read)]
    identity = f"{cls.__module__}.{cls.__qualname__} {cls.id} {cls.name}"
    settings = canonical((rule.effective_severity, rule.params))
    return digest(KIND, whole, identity, settings, *parts).hex()


def local_digest(rule: Rule, settings: str) -> str:
    """The name of a local rule's entry: its findings on each resource, by resource."""
    cls = type(rule)
    identity = f"{cls.__module__}.{cls.__qualname__} {cls.id} {cls.name}"
    parameters = canonical((rule.effective_severity, rule.params))
    return digest(KIND, "local", code_version(), settings, identity, parameters).hex()


@dataclass
class LocalKind:
    """A local rule's findings on the resources of one kind, as this run finds them:
    ``exact`` names the entry for the kind as it is now, ``latest`` the one for it as it
    was last checked (findings by resource); stored findings of unchanged resources are
    ``reused``, ``todo`` are the resources to check again."""

    exact: str
    latest: str
    resources: list[Resource]
    reused: dict[bytes, tuple] = field(default_factory=dict)
    todo: list[Resource] = field(default_factory=list)


@dataclass
class RulePlan:
    """Which rules of a run the cache answers (their findings) and which must run: on
    every resource (``missing``), or, for local rules, on the resources that changed
    (``partial``, on the resources named by ``scope``)."""

    found: list[Finding] = field(default_factory=list)
    missing: list[Rule] = field(default_factory=list)
    partial: list[Rule] = field(default_factory=list)
    scope: set[tuple] = field(default_factory=set)
    digests: dict[int, str] = field(default_factory=dict)
    local: dict[int, list[LocalKind]] = field(default_factory=dict)


class RuleEntries:
    """Reading and writing rule entries in a store."""

    def __init__(self, store: Store, placed: Placed) -> None:
        self.store = store
        self.names = Fingerprints(placed)

    def plan(self, mesh: Mesh, rules: list[Rule], cacheable: Iterable[type[Rule]]) -> RulePlan:
        """Look every rule up; rules outside ``cacheable`` (the config's own policies)
        always run."""
        allowed = set(cacheable)
        plan = RulePlan()
        kinds = _canonical_kinds(mesh, self.names)
        everything = digest(*(digest(k, kinds[k]) for k in sorted(kinds)))
        whole = _whole_mesh(mesh)
        settings = canonical(mesh.settings)
        for rule in rules:
            if type(rule) not in allowed:
                plan.missing.append(rule)
                continue
            if is_local(type(rule)):
                self._plan_local(mesh, rule, local_digest(rule, settings), kinds, plan)
                continue
            name = rule_digest(rule, whole, kinds, everything)
            plan.digests[id(rule)] = name
            stored = self.store.get(KIND, name)
            findings = None if stored is None else self._findings(stored, type(rule))
            if findings is None:
                plan.missing.append(rule)
            else:
                plan.found.extend(findings)
        return plan

    def _plan_local(
        self, mesh: Mesh, rule: Rule, name: str, kinds: dict[str, bytes], plan: RulePlan
    ) -> None:
        """A local rule: entries by kind; of a kind that changed, the resources that
        did are checked again."""
        cls = type(rule)
        plan.digests[id(rule)] = name
        parts = plan.local[id(rule)] = []
        for kind in dict.fromkeys(cls.checked_kinds()):
            resources = [r for r in mesh.of_kind(kind) if r.linted]
            if not resources:
                continue
            exact = digest(name, kind, kinds[kind]).hex()
            stored = self.store.get(KIND, exact)
            findings = None if stored is None else self._findings(stored, cls)
            if findings is not None:
                plan.found.extend(findings)
                continue
            part = LocalKind(exact, digest(name, kind, "latest").hex(), resources)
            parts.append(part)
            latest = self.store.get(KIND, part.latest)
            latest = latest if isinstance(latest, dict) else {}
            for resource in resources:
                resource_name = self.names.of(resource)
                items = latest.get(resource_name)
                findings = None if items is None else self._findings(items, cls)
                if findings is None:
                    part.todo.append(resource)
                else:
                    part.reused[resource_name] = items
                    plan.found.extend(findings)
        todo = [r for part in parts for r in part.todo]
        if todo:
            plan.partial.append(rule)
            plan.scope.update(r.key for r in todo)

    def rechecked(self, plan: RulePlan, findings: list[Finding]) -> list[Finding]:
        """Of the findings of the partly checked rules, those on resources they had to
        check again (the scope is shared: a rule may have checked more)."""
        todo = {
            (type(rule), id(r))
            for rule in plan.partial
            for part in plan.local[id(rule)]
            for r in part.todo
        }
        return [
            f
            for f in findings
            if f.resource is None
            or f.rule not in {type(r) for r in plan.partial}
            or (f.rule, id(f.resource)) in todo
        ]

    def store_results(self, plan: RulePlan, findings: list[Finding]) -> None:
        """Store the findings of the rules that ran (those the plan could key), unless
        some finding cannot be told apart by rule (a crash, another rule's finding)."""
        ran = [*plan.missing, *plan.partial]
        classes = {type(r): r for r in ran if id(r) in plan.digests}
        crash = input_rule("internal-error")
        by_rule: dict[type[Rule], list[Finding]] = {cls: [] for cls in classes}
        crashed = [f.message for f in findings if f.rule is crash]
        for finding in findings:
            if finding.rule is crash:
                continue
            if finding.rule not in by_rule:
                return  # a finding no rule of this run claims: store nothing
            by_rule[finding.rule].append(finding)
        for cls, rule in classes.items():
            if any(f"rule {cls.id} (" in message for message in crashed):
                continue
            try:
                if id(rule) in plan.local:
                    self._store_local(plan.local[id(rule)], by_rule[cls])
                    continue
                value = tuple(self._encode(f) for f in by_rule[cls])
            except Unencodable:
                continue
            self.store.put(KIND, plan.digests[id(rule)], value)

    def _store_local(self, parts: list[LocalKind], findings: list[Finding]) -> None:
        """A local rule's entries of the kinds it checked again: its findings on them,
        and by resource."""
        fresh: dict[int, list[Finding]] = {id(r): [] for p in parts for r in p.todo}
        for finding in findings:
            if finding.resource is None or id(finding.resource) not in fresh:
                raise Unencodable("a finding on another resource than the one checked")
            fresh[id(finding.resource)].append(finding)
        values = []
        for part in parts:
            by_name = {}
            for resource in part.resources:
                name = self.names.of(resource)
                if id(resource) in fresh:
                    by_name[name] = tuple(self._encode(f) for f in fresh[id(resource)])
                else:
                    by_name[name] = part.reused[name]
            values.append((part, by_name))
        for part, by_name in values:
            everything = tuple(item for items in by_name.values() for item in items)
            self.store.put(KIND, part.exact, everything)
            self.store.put(KIND, part.latest, by_name)

    # -- findings as plain values ----------------------------------------------------

    def _ref(self, resource: Resource | None) -> bytes | None:
        if resource is None:
            return None
        name = self.names.of(resource)
        if self.names.resources.get(name) is not resource:
            raise Unencodable("a resource without a stable name")
        return name

    def _resource(self, ref: bytes | None) -> Resource | None:
        if ref is None:
            return None
        resource = self.names.resources.get(ref)
        if resource is None:
            raise KeyError(ref)
        return resource

    def _encode(self, f: Finding) -> tuple:
        related = tuple(
            (r.message, self._ref(r.resource), tuple(r.path), _location(r.location))
            for r in f.related
        )
        fixes = tuple(
            (x.title, tuple((e.kind, tuple(e.path), e.value) for e in x.edits), x.safe)
            for x in f.fixes
        )
        return (
            f.message,
            int(f.severity),
            self._ref(f.resource),
            tuple(f.path),
            f.key,
            related,
            f.file,
            _location(f.location),
            fixes,
            f.unchecked,
        )

    def _findings(self, stored: object, rule: type[Rule]) -> list[Finding] | None:
        try:
            return [self._decode(item, rule) for item in stored]  # type: ignore[union-attr]
        except (KeyError, ValueError, TypeError, IndexError):
            return None

    def _decode(self, item: tuple, rule: type[Rule]) -> Finding:
        message, severity, resource, path, key, related, file, location, fixes, why = item
        return Finding(
            rule=rule,
            message=message,
            severity=Severity(severity),
            resource=self._resource(resource),
            path=path,
            key=key,
            related=[
                Related(m, self._resource(r), p, None if loc is None else Location(*loc))
                for m, r, p, loc in related
            ],
            file=file,
            location=None if location is None else Location(*location),
            fixes=[
                Fix(title, tuple(Edit(k, p, v) for k, p, v in edits), safe)
                for title, edits, safe in fixes
            ],
            unchecked=why,
        )


def _location(location: Location | None) -> tuple | None:
    if location is None:
        return None
    return (location.file, location.line, location.column, location.end_line, location.end_column)
