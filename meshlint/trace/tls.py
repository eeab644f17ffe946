"""Whether the hop to a destination workload is Istio mutual TLS, from both sides.

The client's DestinationRule (the one :meth:`MtlsModel.client_rule` finds: client
namespace, service namespace, root namespace) sets the TLS mode, the subset's and the
port's settings first; without one, auto mTLS sends ISTIO_MUTUAL to workloads with a
sidecar unless their PeerAuthentication is DISABLE (Istio's ``buildAutoMtlsSettings``).
The server's PeerAuthentication (:meth:`MtlsModel.workload_decision`) then accepts: STRICT
refuses plaintext, DISABLE expects plaintext.
"""

from __future__ import annotations

from dataclasses import dataclass

from meshlint.fieldpath import Path, get
from meshlint.mesh.dataplane import Mode, workload_mode
from meshlint.mesh.mtls import DISABLE, ISTIO_MUTUAL, STRICT, MtlsModel
from meshlint.mesh.workloads import Workload
from meshlint.model import Resource, as_list


@dataclass(slots=True)
class Hop:
    """``mtls``: True, False or None (unknown); ``failure``: why the connection fails
    (a TLS mismatch), else empty; ``text``: what decided it."""

    mtls: bool | None
    failure: str
    text: str
    rule: Resource | None
    rule_path: Path
    server: Resource | None


def client_mode(
    rule: Resource | None, subset: str | None, port: int | None
) -> tuple[str | None, Path]:
    """The TLS mode a DestinationRule sets for a subset and port, and where."""
    if rule is None:
        return None, ()
    for i, item in enumerate(as_list(rule.spec.get("subsets"))):
        if isinstance(item, dict) and subset is not None and str(item.get("name")) == subset:
            found = _policy_mode(item.get("trafficPolicy"), port)
            if found[0]:
                return found[0], ("spec", "subsets", i, "trafficPolicy", *found[1])
    mode, path = _policy_mode(rule.spec.get("trafficPolicy"), port)
    return mode, (("spec", "trafficPolicy", *path) if mode else ())


def _policy_mode(policy: object, port: int | None) -> tuple[str | None, Path]:
    if not isinstance(policy, dict):
        return None, ()
    for i, setting in enumerate(as_list(policy.get("portLevelSettings"))):
        number = get(setting, ("port", "number"))
        mode = get(setting, ("tls", "mode"))
        if port is not None and number == port and isinstance(mode, str):
            return mode, ("portLevelSettings", i, "tls", "mode")
    mode = get(policy, ("tls", "mode"))
    return (mode, ("tls", "mode")) if isinstance(mode, str) else (None, ())


def hop(
    model: MtlsModel,
    workload: Workload,
    rule: Resource | None,
    subset: str | None,
    port: int | None,
    target_port: int | None,
    client_sidecar: bool,
) -> Hop:
    """The hop from a client to one destination workload."""
    mesh = model.mesh
    server_mode = workload_mode(mesh, workload)
    decision = model.workload_decision(workload)
    peer = decision.ports.get(str(target_port), decision.mode) if target_port else decision.mode
    server = decision.policy
    mode, path = client_mode(rule, subset, port)
    if not client_sidecar:
        sends, why = False, "the client has no sidecar: plaintext"
    elif mode is not None:
        sends = mode == ISTIO_MUTUAL
        why = f"DestinationRule {rule.qualified_name} sets tls.mode {mode}"
    elif not model.auto_mtls:
        sends, why = False, "no TLS setting and auto mTLS is off: plaintext"
    elif server_mode is Mode.UNKNOWN:
        return Hop(
            None,
            "",
            f"auto mTLS: whether {workload.resource.ref} runs a sidecar is unknown "
            f"(no Namespace {workload.namespace} among the inputs)",
            rule,
            path,
            server,
        )
    elif server_mode is not Mode.SIDECAR:
        sends, why = False, f"auto mTLS: {workload.resource.ref} has no sidecar, plaintext"
    elif peer == DISABLE:
        sends, why = False, "auto mTLS: the server's PeerAuthentication is DISABLE, plaintext"
    else:
        sends, why = True, "auto mTLS: the server runs a sidecar"
    accepting = f"server {peer} ({decision.describe()})"
    if sends and peer == DISABLE:
        return Hop(
            False,
            "the server expects plaintext (DISABLE)",
            f"{why}; {accepting}",
            rule,
            path,
            server,
        )
    if not sends and peer == STRICT and server_mode is not Mode.NONE:
        return Hop(
            False,
            "the server accepts only mTLS (STRICT)",
            f"{why}; {accepting}",
            rule,
            path,
            server,
        )
    state = "mTLS" if sends else "plaintext"
    return Hop(sends, "", f"{state}: {why}; {accepting}", rule, path, server)
