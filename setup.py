"""Build hook for the optional native YAML reader; all other metadata is in pyproject.toml.

The extension compiles libyaml from ``vendor/libyaml`` (no system library needed). It is
optional: without a C compiler the install succeeds and meshlint reads YAML with its
Python path, which gives the same results more slowly.
"""

from setuptools import Extension, setup

LIBYAML = "vendor/libyaml"

setup(
    ext_modules=[
        Extension(
            "meshlint.loader._fastyaml",
            sources=[
                "meshlint/loader/_fastyaml.c",
                *(f"{LIBYAML}/{name}.c" for name in ("api", "reader", "scanner", "parser")),
            ],
            include_dirs=[LIBYAML],
            define_macros=[
                ("YAML_DECLARE_STATIC", None),
                ("YAML_VERSION_MAJOR", "0"),
                ("YAML_VERSION_MINOR", "2"),
                ("YAML_VERSION_PATCH", "5"),
                ("YAML_VERSION_STRING", '"0.2.5"'),
            ],
            optional=True,
        )
    ],
)
