"""IP addresses, CIDR prefixes and URLs parsed as Go's ``net/netip`` and ``net/url`` do.

Kubernetes' CEL library builds on those Go parsers, so what they reject, a CEL rule rejects:
no IPv6 zones, no IPv4-mapped IPv6 addresses, no leading zeros, a prefix length after
every CIDR, and URLs that are absolute (``scheme:...``) or an absolute path.
"""

from __future__ import annotations

import ipaddress
import string
from dataclasses import dataclass, field
from urllib.parse import parse_qs

from meshlint.validation.values import decimal

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPInterface = ipaddress.IPv4Interface | ipaddress.IPv6Interface

_SCHEME_FIRST = frozenset(string.ascii_letters)
_SCHEME_REST = frozenset(string.ascii_letters + string.digits + "+-.")
_USERINFO = frozenset(string.ascii_letters + string.digits + "-._:~!$&'()*+,;=%@")
_HOST = frozenset(string.ascii_letters + string.digits + "-_.~!$&'()*+,;=:[]<>\"")
_HEX = frozenset(string.hexdigits)


def parse_ip(text: str) -> IPAddress:
    """An IP address as ``netip.ParseAddr`` reads it, without zones or IPv4-in-IPv6."""
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        raise ValueError(f"IP Address {text!r} parse error: not an IP address") from None
    if isinstance(address, ipaddress.IPv6Address):
        if address.scope_id is not None:
            raise ValueError(f"IP Address {text!r} with zone value is not allowed")
        if address.ipv4_mapped is not None:
            raise ValueError(f"IPv4-mapped IPv6 address {text!r} is not allowed")
    return address


def parse_cidr(text: str) -> IPInterface:
    """A prefix as ``netip.ParsePrefix`` reads it: ``address/bits``, host bits allowed."""
    address, slash, bits = text.partition("/")
    if not slash or not bits.isdigit() or (len(bits) > 1 and bits[0] == "0"):
        raise ValueError(f"network address parse error: {text!r} is not a CIDR prefix")
    parsed = parse_ip(address)
    length = decimal(bits)
    if length is None or length > parsed.max_prefixlen:
        raise ValueError(f"network address parse error: prefix length of {text!r} out of range")
    return ipaddress.ip_interface(f"{parsed}/{length}")


@dataclass(frozen=True)
class URL:
    """The parts of a URL that Kubernetes' CEL library exposes."""

    scheme: str
    host: str = ""
    path: str = ""
    raw_query: str = ""
    opaque: str = ""
    query: dict[str, list[str]] = field(default_factory=dict, compare=False)

    @property
    def hostname(self) -> str:
        return _split_host_port(self.host)[0]

    @property
    def port(self) -> str:
        return _split_host_port(self.host)[1]


def parse_request_uri(text: str) -> URL:
    """A URL as Go's ``url.ParseRequestURI`` accepts it (an absolute URI or absolute path)."""
    if any(ord(c) < 0x20 or ord(c) == 0x7F for c in text):
        raise ValueError("net/url: invalid control character in URL")
    if not text:
        raise ValueError("empty url")
    if text == "*":
        return URL("", path="*")
    scheme, rest = _scheme(text)
    if rest.endswith("?") and rest.count("?") == 1:
        rest, query = rest[:-1], ""
    else:
        rest, _, query = rest.partition("?")
    if not rest.startswith("/"):
        if scheme:
            return URL(scheme, opaque=rest, raw_query=query)
        raise ValueError("invalid URI for request")
    host = ""
    if scheme and rest.startswith("//"):
        authority, slash, path = rest[2:].partition("/")
        host = _authority(authority)
        rest = slash + path
    _unescape(rest, host_part=False)
    return URL(scheme, host, rest, query, query=parse_qs(query, keep_blank_values=True))


def _scheme(text: str) -> tuple[str, str]:
    for i, char in enumerate(text):
        if char == ":":
            if i == 0:
                raise ValueError("missing protocol scheme")
            return text[:i].lower(), text[i + 1 :]
        if char not in _SCHEME_REST or (i == 0 and char not in _SCHEME_FIRST):
            return "", text
    return "", text


def _authority(authority: str) -> str:
    userinfo, at, host = authority.rpartition("@")
    host = _host(host)
    if at:
        if any(c not in _USERINFO for c in userinfo):
            raise ValueError("net/url: invalid userinfo")
        _unescape(userinfo, host_part=False)
    return host


def _host(host: str) -> str:
    if host.startswith("["):
        end = host.rfind("]")
        if end < 0:
            raise ValueError("missing ']' in host")
        port = host[end + 1 :]
    else:
        colon = host.rfind(":")
        port = host[colon:] if colon >= 0 else ""
    if not _valid_optional_port(port):
        raise ValueError(f"invalid port {port!r} after host")
    _unescape(host, host_part=True)
    return host


def _valid_optional_port(port: str) -> bool:
    return port == "" or (port[0] == ":" and all(c in string.digits for c in port[1:]))


def _unescape(text: str, *, host_part: bool) -> None:
    """Raise like Go's ``url.unescape`` on malformed escapes or host characters."""
    i = 0
    while i < len(text):
        char = text[i]
        if char == "%":
            escape = text[i + 1 : i + 3]
            if len(escape) < 2 or not set(escape) <= _HEX:
                raise ValueError(f"invalid URL escape {text[i : i + 3]!r}")
            if host_part and int(escape[0], 16) < 8 and escape != "25":
                raise ValueError(f"invalid URL escape {text[i : i + 3]!r}")
            i += 3
            continue
        if host_part and ord(char) < 0x80 and char not in _HOST:
            raise ValueError(f"invalid character {char!r} in host name")
        i += 1


def _split_host_port(host_port: str) -> tuple[str, str]:
    host, port = host_port, ""
    colon = host.rfind(":")
    if colon >= 0 and _valid_optional_port(host[colon:]):
        host, port = host[:colon], host[colon + 1 :]
    if host.startswith("[") and host.endswith("]"):
        host = host[1:-1]
    return host, port
