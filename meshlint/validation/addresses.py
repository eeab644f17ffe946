"""IP addresses, CIDR blocks and Unix domain socket paths."""

from __future__ import annotations

import ipaddress
import posixpath

from meshlint.validation.values import decimal

UNIX_PREFIX = "unix://"


def is_ip(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


def is_cidr(text: str) -> bool:
    """``a.b.c.d/n`` or an IPv6 prefix; host bits may be set, as Go's netip allows."""
    address, slash, bits = text.partition("/")
    length = decimal(bits)
    if not slash or length is None or "%" in address or not is_ip(address):
        return False
    return length <= ipaddress.ip_address(address).max_prefixlen


def subnet_error(text: str) -> str | None:
    """An IP address or a CIDR block, as Istio's ``ValidateIPSubnet`` accepts."""
    if text.count("/") == 1:
        return None if is_cidr(text) else f'"{text}" is not a valid CIDR block'
    return None if is_ip(text) else f'"{text}" is not a valid IP address'


def unix_path_error(path: str) -> str | None:
    """A Unix socket path: absolute and not a directory, or an abstract ``@name``."""
    if not path:
        return "unix address must not be empty"
    if path.startswith("@"):
        return None
    if not posixpath.isabs(path) or path.endswith("/"):
        return f'"{path}" is not an absolute path to a file'
    return None
