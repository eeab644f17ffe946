"""Compiling CEL expressions once, and evaluating them against bound variables."""

from __future__ import annotations

import functools
import importlib
import importlib.machinery
import importlib.util
import re
import threading
from pathlib import Path
from types import ModuleType
from typing import Any

#: Functions and macros of the CEL core that the interpreter provides itself.
BUILTINS = frozenset(
    {
        "all",
        "bytes",
        "contains",
        "double",
        "duration",
        "dyn",
        "endsWith",
        "exists",
        "exists_one",
        "filter",
        "has",
        "int",
        "map",
        "matches",
        "size",
        "startsWith",
        "string",
        "timestamp",
        "type",
        "uint",
    }
)


@functools.cache
def _known() -> frozenset[str]:
    """Every function an expression may call (the library is imported on first use)."""
    from meshlint.cel.library import FUNCTIONS

    return BUILTINS | FUNCTIONS.keys()


#: Kubernetes escapes property names that are CEL keywords as ``__keyword__``; the
#: interpreter reads these keywords as plain identifiers after a dot.
_KEYWORD_ESCAPE = re.compile(
    r"__(as|break|const|continue|else|for|function|if|import|let|loop|namespace|"
    r"package|return|var|void|while)__"
)
_OTHER_ESCAPE = re.compile(r"__(dash|dot|slash|underscores|[a-z]+)__")
_FUNCTION_ERROR = re.compile(
    r"Function '(\w+)' error: (.*?)(?:\. Check function arguments.*)?$", re.S
)
_PYTHON_FAILURE = re.compile(r"Python function call failed: \w+: ")
_MACRO_CALL = re.compile(r"\.\s*(?:all|exists|exists_one|map|filter)\s*\(")
_SELECTION = re.compile(r"\.\s*([A-Za-z_]\w*)")
_STRING_LITERAL = re.compile(r"\"(?:[^\"\\]|\\.)*\"|'(?:[^'\\]|\\.)*'")
_UNDEFINED = re.compile(r"Undefined variable or function: '(\w+)'")
_CONVERSION_TARGETS = {
    "int": "int",
    "uint": "uint",
    "double": "double",
    "duration": "google.protobuf.Duration",
    "timestamp": "google.protobuf.Timestamp",
}


_LOADING = threading.Lock()


def interpreter() -> ModuleType:
    """The CEL extension module, loaded once even when threads race for it (executing the
    extension twice panics: it may set Rust's global logger only once)."""
    with _LOADING:
        return _interpreter()


@functools.cache
def _interpreter() -> ModuleType:
    """The ``common-expression-language`` extension module, loaded on first use.

    ``import cel`` also imports the package's command-line front end (typer, rich,
    prompt_toolkit: about 0.3 s); the compiled extension alone loads in milliseconds, so it
    is loaded directly when its file is where the package keeps it. The interpreter logs a
    warning for every failing Python function; meshlint reports those failures itself.
    """
    import logging

    log = logging.getLogger("cel")
    log.addHandler(logging.NullHandler())
    log.propagate = False
    spec = importlib.util.find_spec("cel")
    folders = spec.submodule_search_locations if spec else None
    for suffix in importlib.machinery.EXTENSION_SUFFIXES:
        path = Path(folders[0], f"cel{suffix}") if folders else None
        if path is not None and path.is_file():
            loader = importlib.machinery.ExtensionFileLoader("cel.cel", str(path))
            module = importlib.util.module_from_spec(
                importlib.util.spec_from_loader("cel.cel", loader)
            )
            loader.exec_module(module)
            return module
    return importlib.import_module("cel")


class CelError(Exception):
    """An expression that meshlint cannot compile or evaluate.

    ``supported`` is False when the cause is on meshlint's side (a function or syntax the
    interpreter lacks) rather than in the data the expression was evaluated on.
    """

    def __init__(self, message: str, *, supported: bool = True) -> None:
        super().__init__(message)
        self.supported = supported


class Scope:
    """The variables an evaluation sees: the library's, plus those bound with :meth:`bind`.

    Binding converts the value once; every expression evaluated until the next binding
    reuses it. A scope is not thread-safe. The interpreter is loaded on the first binding,
    so a scope that evaluates nothing costs nothing.
    """

    def __init__(self) -> None:
        self._made = None

    @property
    def _context(self):
        if self._made is None:
            from meshlint.cel.library import FUNCTIONS, VARIABLES

            self._made = interpreter().Context(variables=dict(VARIABLES), functions=FUNCTIONS)
        return self._made

    def bind(self, name: str, value: Any) -> None:
        """Set variable ``name``; raises CelError for values CEL cannot represent."""
        try:
            self._context.add_variable(name, value)
        except (TypeError, ValueError, OverflowError) as error:
            raise CelError(f"value cannot be read by CEL: {error}", supported=False) from None


class Expression:
    """A compiled CEL expression."""

    def __init__(self, source: str) -> None:
        self.source = source
        if _OTHER_ESCAPE.search(_KEYWORD_ESCAPE.sub("", source)):
            raise CelError("escaped property names are not supported", supported=False)
        try:
            self._program = interpreter().compile(_KEYWORD_ESCAPE.sub(r"\1", source))
        except ValueError as error:
            raise CelError(f"does not compile: {error}", supported=False) from None
        self.variables = frozenset(self._program.variables())
        self.nesting = _comprehension_nesting(source)
        self.selected = _selected_fields(source)
        self._fields: dict[str, frozenset[str] | None] = {}
        unknown = sorted(
            name for name in self._program.functions() if name[0].isalpha() and name not in _known()
        )
        if unknown:
            raise CelError(f"uses unsupported functions: {', '.join(unknown)}", supported=False)

    def fields_of(self, variable: str) -> frozenset[str] | None:
        """The fields of ``variable`` the expression reads, when it reads the variable only
        through field selection (``self.a``, ``has(self.b)``); None when it uses it whole."""
        if variable not in self._fields:
            self._fields[variable] = self._fields_of(variable)
        return self._fields[variable]

    def _fields_of(self, variable: str) -> frozenset[str] | None:
        uses = len(re.findall(rf"(?<![\w.]){variable}\b", self.source))
        fields = re.findall(rf"(?<![\w.]){variable}\.(\w+)\b(?!\s*\()", self.source)
        if len(fields) != uses:
            return None
        return frozenset(_KEYWORD_ESCAPE.sub(r"\1", name) for name in fields)

    def evaluate(self, scope: Scope) -> Any:
        """The value of the expression in ``scope``; CelError when evaluation fails."""
        try:
            return self._program.execute(scope._context)
        except Exception as error:
            raise _evaluation_error(error) from None


def _comprehension_nesting(source: str) -> int:
    """How deeply the expression nests comprehensions (``all``, ``exists``, ``map``...):
    its cost grows as the size of the lists it reads to this power."""
    text = _STRING_LITERAL.sub('""', source)
    opens_macro = {match.end() - 1 for match in _MACRO_CALL.finditer(text)}
    stack: list[bool] = []
    depth = deepest = 0
    for position, char in enumerate(text):
        if char == "(":
            stack.append(position in opens_macro)
            depth += stack[-1]
            deepest = max(deepest, depth)
        elif char == ")" and stack:
            depth -= stack.pop()
    return deepest


def _selected_fields(source: str) -> frozenset[str] | None:
    """Every name the expression selects with a dot (``a.b``: ``b``); None when it also
    indexes (``a[k]``), so it may reach any field."""
    text = _STRING_LITERAL.sub('""', source)
    if "[" in text.replace("[]", ""):
        return None
    return frozenset(_KEYWORD_ESCAPE.sub(r"\1", name) for name in _SELECTION.findall(text))


def _evaluation_error(error: Exception) -> CelError:
    """The interpreter's error, in the words Kubernetes (cel-go) uses where they differ."""
    text = str(error)
    if isinstance(error, KeyError):
        return CelError(f"no such key: {error.args[0]}")
    undefined = _UNDEFINED.match(text)
    if undefined:
        name = undefined.group(1)
        if name in _known():
            return CelError("no such overload")
        return CelError(f"undeclared reference to '{name}'", supported=False)
    failed = _FUNCTION_ERROR.match(text)
    if failed:
        function, detail = failed.groups()
        target = _CONVERSION_TARGETS.get(function)
        if target and ("parse error" in detail.lower() or "Parsing Error" in detail):
            return CelError(f"type conversion error from 'string' to '{target}'")
        return CelError(_PYTHON_FAILURE.sub("", detail).strip())
    if isinstance(error, TypeError) and text.startswith("No such overload"):
        return CelError("no such overload")
    return CelError(text.splitlines()[0] if text else type(error).__name__)


def compile_expression(source: str) -> Expression:
    """The compiled expression for ``source``, compiled once per process; CelError when
    meshlint cannot compile it."""
    compiled = _compile(source)
    if isinstance(compiled, CelError):
        raise compiled
    return compiled


@functools.cache
def _compile(source: str) -> Expression | CelError:
    try:
        return Expression(source)
    except CelError as error:
        return error
