"""Specs for CEL evaluation with the Kubernetes extension library (meshlint.cel)."""

from __future__ import annotations

from typing import Any

import pytest

from meshlint.cel import CelError, Scope, compile_expression
from meshlint.cel.network import parse_request_uri


def evaluate(source: str, value: Any = None) -> Any:
    scope = Scope()
    scope.bind("self", value)
    return compile_expression(source).evaluate(scope)


def failure(source: str, value: Any = None) -> CelError:
    with pytest.raises(CelError) as caught:
        evaluate(source, value)
    return caught.value


# --- the CEL core, as the CRD rules use it ---------------------------------------------------


def test_rules_read_fields_with_has_and_macros() -> None:
    ports = [{"number": 80}, {"number": 80}]

    assert evaluate("self.all(l1, self.exists_one(l2, l1.number == l2.number))", ports) is False
    assert evaluate("(has(self.a) ? 1 : 0) + (has(self.b) ? 1 : 0) <= 1", {"a": 1}) is True


def test_matches_uses_re2_syntax() -> None:
    assert evaluate("self.matches('^[a-z]+$')", "abc") is True
    assert "look-around" in str(failure("self.matches('^(?=a)')", "a"))


def test_durations_parse_like_go() -> None:
    rule = "duration(self) >= duration('1ms')"

    assert evaluate(rule, "1h30m") is True
    assert evaluate(rule, "0.5ms") is False
    assert str(failure(rule, "5 seconds")) == (
        "type conversion error from 'string' to 'google.protobuf.Duration'"
    )


def test_errors_are_worded_as_kubernetes_words_them() -> None:
    assert str(failure("self.all(key, int(key) > 0)", {"http": 1})) == (
        "type conversion error from 'string' to 'int'"
    )
    assert str(failure("self.missing == 1", {})) == "no such key: missing"
    assert str(failure("size(self)", 1)) == "no such overload"


def test_property_names_escaped_as_keywords_are_read() -> None:
    assert evaluate("has(self.__namespace__) && self.__namespace__ == 'x'", {"namespace": "x"})


def test_expressions_meshlint_cannot_run_are_flagged_as_unsupported() -> None:
    with pytest.raises(CelError) as unknown_function:
        compile_expression("self.frobnicate()")
    with pytest.raises(CelError) as syntax:
        compile_expression("self +")

    assert not unknown_function.value.supported
    assert not syntax.value.supported


def test_an_expression_is_compiled_once() -> None:
    assert compile_expression("self > 1") is compile_expression("self > 1")


def test_fields_read_through_selection_are_known_statically() -> None:
    selective = compile_expression("(has(self.selector) ? 1 : 0) + (has(self.targetRef) ? 1 : 0)")
    whole = compile_expression("self.size() == 0 || has(self.selector)")

    assert selective.fields_of("self") == {"selector", "targetRef"}
    assert whole.fields_of("self") is None


# --- Kubernetes library: IPs and CIDRs --------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "valid"),
    [
        ("10.0.0.1", True),
        ("2001:db8::1", True),
        ("010.0.0.1", False),
        ("::ffff:10.0.0.1", False),
        ("fe80::1%eth0", False),
        ("example.com", False),
    ],
)
def test_is_ip_accepts_what_go_netip_accepts(text: str, valid: bool) -> None:
    assert evaluate("isIP(self)", text) is valid


def test_ip_members() -> None:
    assert evaluate("ip(self).family()", "2001:db8::1") == 6
    assert evaluate("ip(self).isLoopback()", "127.0.0.1") is True
    assert evaluate("ip(self) == ip('10.0.0.1')", "10.0.0.1") is True


def test_cidrs() -> None:
    assert evaluate("isCIDR(self)", "10.0.0.1/8") is True
    assert evaluate("isCIDR(self)", "10.0.0.1") is False
    assert evaluate("cidr(self).containsIP('10.1.2.3')", "10.0.0.0/8") is True
    assert evaluate("cidr(self).containsCIDR('10.1.0.0/16')", "10.0.0.0/8") is True
    assert evaluate("cidr(self).prefixLength()", "10.0.0.0/8") == 8
    assert evaluate("cidr(self).ip() == ip('10.0.0.1')", "10.0.0.1/8") is True


# --- URLs --------------------------------------------------------------------------------------

WASM_URL_RULE = (
    'isURL(self) ? (url(self).getScheme() in ["", "http", "https", "file", "oci"]) : '
    '(isURL("http://" + self) && url("http://" + self).getScheme() in '
    '["", "http", "https", "file", "oci"])'
)


@pytest.mark.parametrize(
    ("url", "valid"),
    [
        ("file:///opt/filters/openid.wasm", True),
        ("oci://registry.example.com/filter:v1", True),
        ("test", True),
        ("fake://example.com", False),
        ("#%blah$#@", False),
    ],
)
def test_wasm_plugin_url_rule(url: str, valid: bool) -> None:
    assert evaluate(WASM_URL_RULE, url) is valid


def test_url_parts() -> None:
    url = "https://user@[2001:db8::1]:8443/a%20b?x=1&x=2"

    assert evaluate("url(self).getScheme()", url) == "https"
    assert evaluate("url(self).getHostname()", url) == "2001:db8::1"
    assert evaluate("url(self).getPort()", url) == "8443"
    assert evaluate("url(self).getEscapedPath()", url) == "/a%20b"
    assert evaluate("url(self).getQuery()", url) == {"x": ["1", "2"]}


def test_url_conversion_errors_say_why() -> None:
    error = failure("url(self).getScheme() == 'https'", "hTPp\\\blah")

    assert str(error) == (
        "URL parse error during conversion from string: net/url: invalid control character in URL"
    )


@pytest.mark.parametrize(
    "url", ["relative/path", "http://host:port/", "http://ho st/", "%zz", "http://[::1/"]
)
def test_urls_go_rejects_are_rejected(url: str) -> None:
    with pytest.raises(ValueError):
        parse_request_uri(url)


# --- quantities, strings, lists, formats -------------------------------------------------------


def test_quantities_compare_exactly() -> None:
    assert evaluate("quantity(self).isLessThan(quantity('1Gi'))", "500Mi") is True
    assert evaluate("quantity(self).compareTo(quantity('0.5'))", "500m") == 0
    assert evaluate("quantity(self).asInteger()", "2k") == 2000
    assert evaluate("isQuantity(self)", "1.5.5") is False


def test_string_extensions() -> None:
    assert evaluate("self.substring(7, 8)", "unix:///x") == "/"
    assert evaluate("self.split('/')[0]", "a/b") == "a"
    assert evaluate("self.lowerAscii()", "ÀB") == "Àb"
    assert evaluate("self.indexOf('b')", "abc") == 1
    assert evaluate("self.replace('a', 'x')", "aba") == "xbx"
    assert evaluate("['a', 'b'].join('-')") == "a-b"
    assert str(failure("self.substring(3)", "ab")) == "index out of range: 3"


def test_list_extensions() -> None:
    assert evaluate("self.isSorted()", [1, 2, 3]) is True
    assert evaluate("self.max()", [1, 5, 3]) == 5
    assert evaluate("self.indexOf(3)", [1, 3]) == 1


def test_format_library() -> None:
    rule = "size(self) == 0 || format.dns1123Label().validate(self) == null"

    assert evaluate(rule, "reviews") is True
    assert evaluate(rule, "Reviews") is False
