"""The shipped policy packs' rules as the rules' catalogue lists them: a run selects and
filters them by name and kind without compiling a pack, and compiles one only when one of
its rules is used otherwise (it runs, or its docs are read)."""

from __future__ import annotations

from functools import cache

from meshlint.engine.catalog import LazyRule, catalog_entries


class LazyPackRule(LazyRule):
    """A pack's rule known by its catalogue entry."""

    __slots__ = ()

    def load(self):
        """The compiled policy rule (compiles its pack)."""
        from meshlint.config.policy_files import pack_rule

        return pack_rule(self.pack, self.id)


@cache
def lazy_pack_rules() -> tuple[LazyPackRule, ...]:
    """Every rule of the shipped policy packs, by pack then as the pack lists them."""
    return tuple(LazyPackRule(entry) for entry in catalog_entries("packs"))
