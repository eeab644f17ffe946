"""The functions Kubernetes adds to CEL, as Python callables for the CEL interpreter.

Values of the Kubernetes types (IP, CIDR, URL, Quantity, format) travel through CEL as maps
with one tag key (``{"@ip": "10.0.0.1"}``): they compare by value, and member calls such as
``ip(self).family()`` reach the function with the map as its first argument. Errors raised
here become CEL evaluation errors, as the Go library's error values do.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable
from decimal import Decimal
from itertools import pairwise
from typing import Any

from meshlint.cel.network import URL, IPAddress, parse_cidr, parse_ip, parse_request_uri
from meshlint.cel.quantity import parse_quantity

IP, CIDR, URL_TAG, QUANTITY, FORMAT = "@ip", "@cidr", "@url", "@quantity", "@format"

_DNS1123_LABEL = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?")
_DNS1123_SUBDOMAIN = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*")
_DNS1035_LABEL = re.compile(r"[a-z]([-a-z0-9]*[a-z0-9])?")
_QUALIFIED_NAME = re.compile(r"([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]")
_LABEL_VALUE = re.compile(r"(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?")
_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", re.I)


def _tagged(value: Any, tag: str) -> str:
    if isinstance(value, dict) and tag in value:
        return value[tag]
    raise TypeError("no such overload")


# --- IP addresses and CIDR prefixes --------------------------------------------------------


def _ip(value: Any) -> dict[str, str]:
    if isinstance(value, dict) and CIDR in value:
        return {IP: str(parse_cidr(value[CIDR]).ip)}
    return {IP: str(parse_ip(value))}


def _is_ip(value: str) -> bool:
    try:
        parse_ip(value)
    except ValueError:
        return False
    return True


def _address(value: Any) -> IPAddress:
    return parse_ip(value if isinstance(value, str) else _tagged(value, IP))


def _on_ip(test: Callable[[IPAddress], Any]) -> Callable[[Any], Any]:
    return lambda value: test(_address(value))


def _is_link_local_multicast(address: IPAddress) -> bool:
    if address.version == 4:
        return address in ipaddress.ip_network("224.0.0.0/24")
    return address.is_multicast and address.packed[1] & 0x0F == 2


def _is_global_unicast(address: IPAddress) -> bool:
    return not (
        address.is_unspecified
        or address.is_loopback
        or address.is_multicast
        or address.is_link_local
        or str(address) == "255.255.255.255"
    )


def _cidr(value: str) -> dict[str, str]:
    parse_cidr(value)
    return {CIDR: value}


def _is_cidr(value: str) -> bool:
    try:
        parse_cidr(value)
    except ValueError:
        return False
    return True


def _network(value: Any) -> ipaddress.IPv4Network | ipaddress.IPv6Network:
    return parse_cidr(value if isinstance(value, str) else _tagged(value, CIDR)).network


def _contains_ip(cidr: Any, address: Any) -> bool:
    return _address(address) in _network(cidr)


def _contains_cidr(cidr: Any, other: Any) -> bool:
    inner = _network(other)
    outer = _network(cidr)
    return inner.version == outer.version and inner.subnet_of(outer)


def _masked(cidr: Any) -> dict[str, str]:
    return {CIDR: str(_network(cidr))}


def _prefix_length(cidr: Any) -> int:
    return _network(cidr).prefixlen


# --- URLs ------------------------------------------------------------------------------------


def _url(value: str) -> dict[str, str]:
    try:
        parse_request_uri(value)
    except ValueError as error:
        raise ValueError(f"URL parse error during conversion from string: {error}") from None
    return {URL_TAG: value}


def _is_url(value: str) -> bool:
    try:
        parse_request_uri(value)
    except ValueError:
        return False
    return True


def _parsed_url(value: Any) -> URL:
    return parse_request_uri(_tagged(value, URL_TAG))


# --- Quantities ------------------------------------------------------------------------------


def _quantity(value: str) -> dict[str, str]:
    parse_quantity(value)
    return {QUANTITY: value}


def _is_quantity(value: str) -> bool:
    try:
        parse_quantity(value)
    except ValueError:
        return False
    return True


def _amount(value: Any) -> Decimal:
    if isinstance(value, int) and not isinstance(value, bool):
        return Decimal(value)
    return parse_quantity(_tagged(value, QUANTITY))


def _compare(left: Any, right: Any) -> int:
    a, b = _amount(left), _amount(right)
    return (a > b) - (a < b)


def _as_integer(value: Any) -> int:
    amount = _amount(value)
    if amount != amount.to_integral_value() or not -(2**63) <= amount < 2**63:
        raise ValueError("cannot convert value to integer")
    return int(amount)


# --- strings and lists -----------------------------------------------------------------------


def _char_at(text: str, index: int) -> str:
    if not 0 <= index <= len(text):
        raise IndexError(f"index out of range: {index}")
    return text[index : index + 1]


def _index_of(target: Any, item: Any, offset: int = 0) -> int:
    if isinstance(target, list):
        return next((i for i, value in enumerate(target) if value == item), -1)
    if not 0 <= offset <= len(target):
        raise IndexError(f"index out of range: {offset}")
    return target.find(item, offset)


def _last_index_of(target: Any, item: Any, offset: int | None = None) -> int:
    if isinstance(target, list):
        return max((i for i, value in enumerate(target) if value == item), default=-1)
    end = len(target) if offset is None else offset + len(item)
    return target.rfind(item, 0, end)


def _substring(text: str, start: int, end: int | None = None) -> str:
    end = len(text) if end is None else end
    if not 0 <= start <= end <= len(text):
        raise IndexError(f"index out of range: {start if start > end else end}")
    return text[start:end]


def _split(text: str, separator: str, limit: int = -1) -> list[str]:
    if limit == 0:
        return []
    if separator == "":
        parts = list(text)
        return parts if limit < 0 else [*parts[: limit - 1], "".join(parts[limit - 1 :])]
    return text.split(separator, limit - 1 if limit > 0 else -1)


def _replace(text: str, old: str, new: str, count: int = -1) -> str:
    return text.replace(old, new, count)


def _ascii_case(upper: bool) -> Callable[[str], str]:
    table = str.maketrans(
        "abcdefghijklmnopqrstuvwxyz" if upper else "ABCDEFGHIJKLMNOPQRSTUVWXYZ",
        "ABCDEFGHIJKLMNOPQRSTUVWXYZ" if upper else "abcdefghijklmnopqrstuvwxyz",
    )
    return lambda text: text.translate(table)


def _join(items: list[str], separator: str = "") -> str:
    return separator.join(items)


def _is_sorted(items: list[Any]) -> bool:
    return all(a <= b for a, b in pairwise(items))


def _extreme(pick: Callable[..., Any]) -> Callable[[list[Any]], Any]:
    def extreme(items: list[Any]) -> Any:
        if not items:
            raise ValueError(f"{pick.__name__}(list) called on an empty list")
        return pick(items)

    return extreme


# --- format library --------------------------------------------------------------------------


def _pattern_check(pattern: re.Pattern[str], limit: int, what: str) -> Callable[[str], list[str]]:
    def check(value: str) -> list[str]:
        errors = []
        if len(value) > limit:
            errors.append(f"must be no more than {limit} characters")
        if not pattern.fullmatch(value):
            errors.append(f"a {what} must match the regex '{pattern.pattern}'")
        return errors

    return check


_FORMATS: dict[str, Callable[[str], list[str]]] = {
    "dns1123Label": _pattern_check(_DNS1123_LABEL, 63, "lowercase RFC 1123 label"),
    "dns1123Subdomain": _pattern_check(_DNS1123_SUBDOMAIN, 253, "lowercase RFC 1123 subdomain"),
    "dns1035Label": _pattern_check(_DNS1035_LABEL, 63, "DNS-1035 label"),
    "qualifiedName": _pattern_check(_QUALIFIED_NAME, 63, "qualified name"),
    "labelValue": _pattern_check(_LABEL_VALUE, 63, "valid label"),
    "uuid": _pattern_check(_UUID, 36, "UUID"),
}


def _format(name: str) -> Callable[[Any], dict[str, str]]:
    return lambda _library: {FORMAT: name}


def _validate(fmt: Any, value: str) -> list[str] | None:
    errors = _FORMATS[_tagged(fmt, FORMAT)](value)
    return errors or None


#: Variables every expression can read.
VARIABLES: dict[str, Any] = {"format": {FORMAT: ""}}

#: Functions and member functions, by name.
FUNCTIONS: dict[str, Callable[..., Any]] = {
    "ip": _ip,
    "isIP": _is_ip,
    "family": _on_ip(lambda a: a.version),
    "isUnspecified": _on_ip(lambda a: a.is_unspecified),
    "isLoopback": _on_ip(lambda a: a.is_loopback),
    "isLinkLocalMulticast": _on_ip(_is_link_local_multicast),
    "isLinkLocalUnicast": _on_ip(lambda a: a.is_link_local),
    "isGlobalUnicast": _on_ip(_is_global_unicast),
    "cidr": _cidr,
    "isCIDR": _is_cidr,
    "containsIP": _contains_ip,
    "containsCIDR": _contains_cidr,
    "masked": _masked,
    "prefixLength": _prefix_length,
    "url": _url,
    "isURL": _is_url,
    "getScheme": lambda u: _parsed_url(u).scheme,
    "getHost": lambda u: _parsed_url(u).host,
    "getHostname": lambda u: _parsed_url(u).hostname,
    "getPort": lambda u: _parsed_url(u).port,
    "getEscapedPath": lambda u: _parsed_url(u).path,
    "getQuery": lambda u: _parsed_url(u).query,
    "quantity": _quantity,
    "isQuantity": _is_quantity,
    "compareTo": _compare,
    "isLessThan": lambda a, b: _compare(a, b) < 0,
    "isGreaterThan": lambda a, b: _compare(a, b) > 0,
    "asInteger": _as_integer,
    "asApproximateFloat": lambda q: float(_amount(q)),
    "isInteger": lambda q: _amount(q) == _amount(q).to_integral_value(),
    "sign": lambda q: (_amount(q) > 0) - (_amount(q) < 0),
    "add": lambda a, b: {QUANTITY: str(_amount(a) + _amount(b))},
    "sub": lambda a, b: {QUANTITY: str(_amount(a) - _amount(b))},
    "charAt": _char_at,
    "indexOf": _index_of,
    "lastIndexOf": _last_index_of,
    "lowerAscii": _ascii_case(upper=False),
    "upperAscii": _ascii_case(upper=True),
    "replace": _replace,
    "split": _split,
    "substring": _substring,
    "trim": str.strip,
    "join": _join,
    "isSorted": _is_sorted,
    "sum": sum,
    "min": _extreme(min),
    "max": _extreme(max),
    **{name: _format(name) for name in _FORMATS},
    "validate": _validate,
}
