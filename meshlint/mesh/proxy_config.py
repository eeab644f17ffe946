"""ProxyConfig overrides (the ``proxy.istio.io/config`` annotation): parsing, the checks
istiod's injector applies after layering them over the defaults, and the image type."""

from __future__ import annotations

import re

from meshlint.mesh import goparse
from meshlint.validation.values import decimal

_SNAKE = re.compile(r"_([a-z])")
MILLISECOND = 1_000_000
SECOND = 1_000_000_000

# Fields whose JSON type protobuf enforces when the annotation is decoded.
_STRINGS = ("configPath", "binaryPath", "serviceCluster", "discoveryAddress", "statsdUdpAddress")
_DURATIONS = ("drainDuration", "terminationDrainDuration", "parentShutdownDuration")
_INTS = ("proxyAdminPort", "statusPort", "concurrency")
_BOOLS = ("holdApplicationUntilProxyStarts",)
_REQUIRED = ("configPath", "binaryPath", "serviceCluster", "discoveryAddress")
_PORTS = ("proxyAdminPort", "statusPort")
_AUTH_POLICIES = ("NONE", "MUTUAL_TLS", 0, 1)


def camel(name: str) -> str:
    """Protobuf JSON accepts both ``drain_duration`` and ``drainDuration``."""
    return _SNAKE.sub(lambda m: m.group(1).upper(), name)


def parse_proxy_config(text: str) -> tuple[dict, str | None]:
    """The overrides as a mapping with camelCase keys, and why they cannot be read."""
    import yaml  # only for embedded overrides: a one-file lint never needs PyYAML

    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        problem = getattr(error, "problem", None) or str(error).splitlines()[0]
        return {}, f"not valid YAML ({problem})"
    if data is None:
        return {}, None
    if not isinstance(data, dict):
        return {}, "must be a mapping of ProxyConfig fields"
    return {camel(str(k)): v for k, v in data.items()}, None


def _number(value: object) -> int:
    """An integer field's value (0 when unset); text too long to be a port reads as -1."""
    if isinstance(value, str):
        number = decimal(value.lstrip("-"))
        return -1 if number is None else -number if value.startswith("-") else number
    return int(value or 0)


def _is_int(value: object) -> bool:
    if isinstance(value, bool):
        return False
    return isinstance(value, int) or (isinstance(value, str) and value.lstrip("-").isdigit())


def _type_errors(config: dict) -> list[str]:
    errors = []
    for field in _STRINGS:
        if field in config and not isinstance(config[field], str | None):
            errors.append(f"{field} must be a string")
    for field in _INTS:
        if config.get(field) is not None and not _is_int(config[field]):
            errors.append(f"{field} must be an integer")
    for field in _BOOLS:
        if config.get(field) is not None and not isinstance(config[field], bool):
            errors.append(f"{field} must be true or false")
    metadata = config.get("proxyMetadata")
    if metadata is not None and not isinstance(metadata, dict):
        errors.append("proxyMetadata must be a mapping of names to values")
    return errors


def _duration_error(field: str, value: object) -> str | None:
    if value is None:
        return None
    ns = goparse.duration_ns(value) if isinstance(value, str) else None
    if ns is None:
        return f'{field} "{value}" is not a duration (e.g. "5s")'
    if ns < MILLISECOND:
        return f"{field} must be at least 1ms"
    if ns % MILLISECOND:
        return f"{field} supports millisecond precision only"
    if field == "drainDuration" and ns % SECOND:
        return "drainDuration supports second precision only"
    return None


def _address_errors(config: dict) -> list[str]:
    errors = []
    addresses = [("discoveryAddress", config.get("discoveryAddress"))]
    addresses.append(("statsdUdpAddress", config.get("statsdUdpAddress")))
    for service in ("envoyMetricsService", "envoyAccessLogService"):
        block = config.get(service)
        if isinstance(block, dict):
            addresses.append((f"{service}.address", block.get("address")))
    for field, value in addresses:
        if isinstance(value, str) and value and (error := goparse.check_address(value)):
            errors.append(f"invalid {field}: {error}")
    return errors


def proxy_config_errors(config: dict) -> list[str]:
    """What istiod's injector rejects in these overrides (empty when they are valid)."""
    errors = _type_errors(config)
    if errors:
        return errors
    errors += [f"{f} must be set" for f in _REQUIRED if f in config and not config[f]]
    errors += [e for f in _DURATIONS if (e := _duration_error(f, config.get(f)))]
    errors += _address_errors(config)
    for field in _PORTS:
        if field in config and not 1 <= _number(config[field]) <= 65535:
            errors.append(f"{field} {config[field]} must be between 1 and 65535")
    policy = config.get("controlPlaneAuthPolicy")
    if policy is not None and policy not in _AUTH_POLICIES:
        errors.append(f'controlPlaneAuthPolicy "{policy}" must be NONE or MUTUAL_TLS')
    return errors


def image_type(config: dict) -> str:
    """``image.imageType`` of a ProxyConfig (spec or overrides), '' when unset."""
    image = config.get("image")
    if isinstance(image, dict):
        value = image.get("imageType") or image.get("image_type")
        return str(value) if value else ""
    return ""
