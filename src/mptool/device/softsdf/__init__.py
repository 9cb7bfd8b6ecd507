"""mptool's simulated server crypto machine: the C source (softsdf.c, sdf.h) and its builder."""

from mptool.device.softsdf.build import FAULTS, LIBRARY_NAME, WITHOUT, build, init_keystore, toolchain_problem

__all__ = ["FAULTS", "LIBRARY_NAME", "WITHOUT", "build", "init_keystore", "toolchain_problem"]
