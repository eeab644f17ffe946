"""Short edge labels for routes: the weight and a summary of the match conditions."""

from __future__ import annotations

from meshlint.fieldpath import get
from meshlint.graphview.text import shorten
from meshlint.mesh.routes import Destination
from meshlint.model import Resource

MAX_MATCH = 32


def _string_match(value: object) -> str:
    """``{exact: /a}`` -> ``/a``, ``{prefix: /a}`` -> ``/a*``, ``{regex: x}`` -> ``~x``."""
    if not isinstance(value, dict):
        return ""
    for key, fmt in (("exact", "{}"), ("prefix", "{}*"), ("regex", "~{}")):
        if isinstance(value.get(key), str | int):
            return fmt.format(value[key])
    return ""


def _one_match(match: dict) -> str:
    parts = [
        _string_match(match.get("uri")),
        _string_match(match.get("method")),
        _string_match(match.get("authority")),
    ]
    for field, prefix in (("headers", "hdr "), ("queryParams", "?")):
        names = match.get(field)
        if isinstance(names, dict) and names:
            parts.append(prefix + ",".join(str(n) for n in names))
    if isinstance(match.get("port"), int):
        parts.append(f":{match['port']}")
    sni = match.get("sniHosts")
    if isinstance(sni, list) and sni:
        parts.append("sni " + ",".join(str(h) for h in sni))
    labels = match.get("sourceLabels")
    if isinstance(labels, dict) and labels:
        parts.append("from " + ",".join(f"{k}={v}" for k, v in labels.items()))
    return " ".join(p for p in parts if p)


def match_summary(rule: object) -> str:
    """The first match condition of a route rule, and how many more there are."""
    matches = rule.get("match") if isinstance(rule, dict) else None
    if not isinstance(matches, list):
        return ""
    parts = [p for p in (_one_match(m) for m in matches if isinstance(m, dict)) if p]
    if not parts:
        return ""
    more = f" +{len(parts) - 1}" if len(parts) > 1 else ""
    return shorten(parts[0], MAX_MATCH) + more


def route_label(vs: Resource, dest: Destination) -> str:
    """``50% · /api* +2`` for a route destination; ``mirror`` for a mirror."""
    if dest.mirror:
        return "mirror"
    section, rule_index, route_index = dest.path[1], dest.path[2], dest.path[4]
    rule = get(vs.body, ("spec", section, rule_index))
    weight = get(vs.body, ("spec", section, rule_index, "route", route_index, "weight"))
    parts = []
    if isinstance(weight, int) and not isinstance(weight, bool):
        parts.append(f"{weight}%")
    parts.append(match_summary(rule))
    return " · ".join(p for p in parts if p)
