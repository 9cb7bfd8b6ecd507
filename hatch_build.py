"""Build hook: compile the optional C extension ``mptool.rng.checks._berlekamp_massey`` (issue 20).

The linear complexity test runs Berlekamp–Massey through this module when it is built and through
numpy otherwise (same results: tests/rng/test_berlekamp_massey_compiled.py). It is compiled with
setuptools' ``build_ext`` and the platform's C compiler; without one the build only warns and the
package stays pure Python.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface

EXTENSION = "mptool.rng.checks._berlekamp_massey"
SOURCE = "src/mptool/rng/checks/_berlekamp_massey.c"


def build_extension(root: str) -> Path:
    """Compile the extension in place (beside its source under src/); returns the built file."""
    from setuptools import Distribution, Extension
    from setuptools.command.build_ext import build_ext

    here = os.getcwd()
    os.chdir(root)
    try:
        extension = Extension(EXTENSION, [SOURCE], extra_compile_args=["-O3"])
        command = build_ext(Distribution({"name": "mptool-extension", "ext_modules": [extension], "package_dir": {"": "src"}}))
        command.inplace = True
        command.ensure_finalized()
        command.run()
        return Path(root) / command.get_ext_fullpath(EXTENSION)
    finally:
        os.chdir(here)


class CustomBuildHook(BuildHookInterface):  # type: ignore[type-arg]
    """Hatchling's hook: build the extension for wheels (editable ones load it from src/)."""

    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        if self.target_name != "wheel":
            return
        try:
            built = build_extension(self.root)
        except Exception as exc:  # no compiler or headers: the numpy path is used
            self.app.display_warning(f"mptool: {EXTENSION} not built ({exc}); linear complexity uses numpy")
            return
        build_data["pure_python"] = False
        build_data["infer_tag"] = True
        if version != "editable":
            build_data["force_include"][str(built)] = f"mptool/rng/checks/{built.name}"
