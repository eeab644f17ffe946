"""The request to trace: what the client dials, who the client is, and what it sends."""

from __future__ import annotations

from dataclasses import dataclass, field

from meshlint.mesh.workloads import Workload

DEFAULT_PORTS = {"http": 80, "https": 443}
SCHEMES = ("http", "https", "tcp")


class RequestError(ValueError):
    """A request that cannot be traced as given (a usage error)."""


@dataclass(slots=True)
class Source:
    """The client: its namespace and service account (None: unknown), the workloads it
    runs as (those known among the inputs), and whether it is a gateway."""

    namespace: str
    service_account: str | None
    workloads: list[Workload] = field(default_factory=list)
    #: The client is exactly this workload (``--from-workload``), so its labels are known.
    exact: bool = False
    gateway: bool = False

    def describe(self) -> str:
        account = self.service_account or "?"
        return f"{self.namespace}/{account}"


@dataclass(slots=True)
class Request:
    """One request: host and port as dialed, scheme, HTTP method, path (with an optional
    query), headers (lower-case names), and the JWT it carries (none by default)."""

    host: str
    port: int
    scheme: str = "http"
    method: str = "GET"
    path: str = "/"
    headers: dict[str, str] = field(default_factory=dict)
    request_principal: str | None = None
    claims: dict[str, str] = field(default_factory=dict)

    @property
    def uri(self) -> str:
        """The path without its query string (what Envoy's path matches look at)."""
        return self.path.split("?", 1)[0] or "/"

    @property
    def query(self) -> dict[str, str]:
        _, _, text = self.path.partition("?")
        out = {}
        for item in text.split("&") if text else ():
            key, _, value = item.partition("=")
            out.setdefault(key, value)
        return out

    @property
    def authority(self) -> str:
        """The Host header a client sends: the host, with the port unless it is the
        scheme's default."""
        if DEFAULT_PORTS.get(self.scheme) == self.port:
            return self.host
        return f"{self.host}:{self.port}"

    def describe(self) -> str:
        if self.scheme == "tcp":
            return f"tcp {self.host}:{self.port}"
        text = f"{self.method} {self.scheme}://{self.authority}{self.path}"
        if self.headers:
            text += " " + " ".join(f"{k}: {v}" for k, v in self.headers.items())
        return text


def parse_target(value: str, scheme: str) -> tuple[str, int]:
    """``HOST[:PORT]``: the port defaults to 80 for http, 443 for https (required for tcp)."""
    host, sep, port = value.rpartition(":")
    if not sep:
        host, port = value, ""
    if not host:
        raise RequestError(f"{value!r}: expected HOST[:PORT]")
    if port:
        if not port.isdigit() or not 0 < int(port) < 65536:
            raise RequestError(f"{value!r}: the port must be a number from 1 to 65535")
        return host.lower(), int(port)
    if scheme not in DEFAULT_PORTS:
        raise RequestError(f"{value!r}: a {scheme} request needs a port (HOST:PORT)")
    return host.lower(), DEFAULT_PORTS[scheme]


def parse_pairs(values: tuple[str, ...], what: str, separator: str = "=") -> dict[str, str]:
    """``K=V`` (or ``K:V``) pairs; header names are lower-cased by the caller."""
    out = {}
    for value in values:
        key, sep, rest = value.partition(separator)
        if not sep and separator == "=" and ":" in value:
            key, sep, rest = value.partition(":")
        if not sep or not key.strip():
            raise RequestError(f"{what} {value!r}: expected NAME=VALUE")
        out[key.strip()] = rest.strip()
    return out


def parse_identity(value: str) -> tuple[str, str]:
    """``NAMESPACE/SERVICEACCOUNT``."""
    namespace, sep, account = value.partition("/")
    if not sep or not namespace or not account or "/" in account:
        raise RequestError(f"--from {value!r}: expected NAMESPACE/SERVICEACCOUNT")
    return namespace, account


def parse_workload(value: str) -> tuple[str, str, str]:
    """``KIND/NAMESPACE/NAME``."""
    parts = value.split("/")
    if len(parts) != 3 or not all(parts):
        raise RequestError(f"--from-workload {value!r}: expected KIND/NAMESPACE/NAME")
    return parts[0], parts[1], parts[2]
