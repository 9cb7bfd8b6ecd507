"""Public API of the device domain for other domains (the only module they may import).

- :func:`build_softsdf`, :func:`init_softsdf`: build mptool's simulated SDF device and create its
  key store (e.g. for a lab application or another domain's tests).
- :func:`error_name`, :data:`ERROR_CODES`: GM/T 0018 SDR_* codes by value.
- :func:`device_summary`: the evidence contract (``summary.device``) computed from results.
"""

from __future__ import annotations

from mptool.device.commands import device_summary
from mptool.device.sdf.constants import ERROR_CODES, error_name
from mptool.device.softsdf import build as build_softsdf
from mptool.device.softsdf import init_keystore as init_softsdf
from mptool.device.softsdf import toolchain_problem

__all__ = ["ERROR_CODES", "build_softsdf", "device_summary", "error_name", "init_softsdf", "toolchain_problem"]
