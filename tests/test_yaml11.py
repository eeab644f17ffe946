"""YAML 1.1 typing of plain scalars without PyYAML: every scalar gets the tag PyYAML's safe
loader gives it (the native reader relies on it), and tagged scalars read as PyYAML's do."""

from __future__ import annotations

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from meshlint.loader.yaml11 import BOOL, FLOAT, INT, NULL, STR, TIMESTAMP, implicit_tag


def pyyaml_tag(text: str) -> str:
    return yaml.SafeLoader.resolve(yaml.SafeLoader(""), yaml.ScalarNode, text, (True, False))


@pytest.mark.parametrize(
    ("text", "tag"),
    [
        ("yes", BOOL),
        ("OFF", BOOL),
        ("oN", STR),
        ("y", STR),
        ("", NULL),
        ("~", NULL),
        ("nULL", STR),
        ("0", INT),
        ("-0", INT),
        ("010", INT),
        ("08", STR),
        ("0x1F", INT),
        ("0b101", INT),
        ("0o17", STR),
        ("1_000", INT),
        ("1:30", INT),
        ("1:60", STR),
        ("1.5", FLOAT),
        ("1.", FLOAT),
        (".5", FLOAT),
        ("-.5", STR),
        ("1e3", STR),
        ("1.0e+3", FLOAT),
        ("1.0e3", STR),
        ("1:30.5", FLOAT),
        ("-.inf", FLOAT),
        ("-.nan", STR),
        (".NaN", FLOAT),
        ("2001-12-14", TIMESTAMP),
        ("2001-1-4 1:59:43.10 -5", TIMESTAMP),
        ("2001-12-14t21:59:43.10Z", TIMESTAMP),
        ("2001-1-4", STR),
        ("<<", "tag:yaml.org,2002:merge"),
        ("=", "tag:yaml.org,2002:value"),
        ("1.2.3", STR),
        ("v1", STR),
    ],
)
def test_a_plain_scalar_gets_its_yaml_1_1_tag(text, tag):
    assert implicit_tag(text) == tag == pyyaml_tag(text)


SCALAR_ALPHABET = "0123456789_+-.:eExXbBoOaAfFtTzZ ~<=\tyesnulNaIif"


@settings(max_examples=2000, derandomize=True, deadline=None)
@given(st.text(SCALAR_ALPHABET, max_size=14))
def test_every_scalar_is_typed_as_pyyaml_types_it(text):
    assert implicit_tag(text) == pyyaml_tag(text)
