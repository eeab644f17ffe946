"""Go's parsers for the value formats Istio reads from annotations and ProxyConfig:
unsigned integers, booleans, durations, CIDR prefixes and ``host:port`` addresses.

Each ``check_*`` function returns an error text, or None when Go would accept the value.
"""

from __future__ import annotations

import ipaddress
import re

from meshlint.validation.addresses import is_ip
from meshlint.validation.values import decimal

_DIGITS = re.compile(r"[0-9]+")
_DURATION = re.compile(r"[-+]?(?:(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:ns|us|µs|μs|ms|s|m|h))+")
_DURATION_PART = re.compile(r"([0-9]*\.?[0-9]*)(ns|us|µs|μs|ms|s|m|h)")
_UNIT_NS = {
    "ns": 1,
    "us": 1_000,
    "µs": 1_000,
    "μs": 1_000,
    "ms": 1_000_000,
    "s": 1_000_000_000,
    "m": 60_000_000_000,
    "h": 3_600_000_000_000,
}
_BOOLS = frozenset(
    ("1", "t", "T", "TRUE", "true", "True", "0", "f", "F", "FALSE", "false", "False")
)
_DNS_LABEL = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?", re.IGNORECASE)


def check_uint(text: str, bits: int) -> str | None:
    """``strconv.ParseUint(text, 10, bits)``: decimal digits only, within range."""
    if not _DIGITS.fullmatch(text):
        return f'"{text}" is not an unsigned integer'
    value = decimal(text)
    if value is None or value >= 1 << bits:
        return f'"{text}" is out of range (at most {(1 << bits) - 1})'
    return None


def check_bool(text: str) -> str | None:
    """``strconv.ParseBool``."""
    return None if text in _BOOLS else f'"{text}" is not a boolean (true or false)'


def check_port(text: str) -> str | None:
    """A port number as the injector parses it: surrounding spaces allowed, 0-65535."""
    error = check_uint(text.strip(), 16)
    return f"failed parsing port: {error}" if error else None


def check_port_list(text: str) -> str | None:
    """A comma-separated port list; the empty string is an empty list."""
    if not text.strip():
        return None
    for item in text.strip().split(","):
        if error := check_port(item):
            return error
    return None


def check_cidr(text: str) -> str | None:
    """``netip.ParsePrefix``: an address, a slash and a prefix length in bits."""
    address, slash, bits = text.partition("/")
    if not slash or not _DIGITS.fullmatch(bits) or "%" in address:
        return f'"{text}" is not a CIDR prefix (address/bits)'
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return f'"{text}": "{address}" is not an IP address'
    if int(bits) > ip.max_prefixlen:
        return f'"{text}": prefix length {bits} is too long for {address}'
    return None


def check_cidr_list(text: str) -> str | None:
    """A comma-separated CIDR list; the empty string is an empty list."""
    if not text:
        return None
    for item in text.split(","):
        if error := check_cidr(item):
            return error
    return None


def duration_ns(text: str) -> int | None:
    """``time.ParseDuration`` in nanoseconds (None when Go would reject the text)."""
    if text in ("0", "+0", "-0"):
        return 0
    if not _DURATION.fullmatch(text):
        return None
    sign = -1 if text.startswith("-") else 1
    total = 0.0
    for number, unit in _DURATION_PART.findall(text.lstrip("+-")):
        if number in ("", "."):
            return None
        total += float(number) * _UNIT_NS[unit]
    return sign * int(total)


def check_hostname(host: str) -> bool:
    """A DNS-1123 host name (a trailing dot allowed)."""
    name = host[:-1] if host.endswith(".") else host
    if not name or len(name) > 253:
        return False
    return all(len(label) <= 63 and _DNS_LABEL.fullmatch(label) for label in name.split("."))


def check_address(text: str) -> str | None:
    """``host:port`` as Istio validates proxy addresses (discovery, statsd, ...)."""
    if text.startswith("["):
        host, sep, port = text[1:].partition("]:")
    else:
        host, sep, port = text.rpartition(":")
        if ":" in host:
            return f'"{text}": too many colons (write an IPv6 address in brackets)'
    if not sep:
        return f'"{text}" is not host:port'
    if error := check_uint(port, 16):
        return f'"{text}": port {error}'
    if decimal(port) == 0:
        return f'"{text}": port must be between 1 and 65535'
    if not (check_hostname(host) or is_ip(host)):
        return f'"{text}": "{host}" is not a valid host name or IP address'
    return None
