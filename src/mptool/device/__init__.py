"""The device domain: GM/T 0018 (SDF) server crypto machines tested through their vendor library.

- :mod:`mptool.device.sdf`: the ctypes binding (prototypes, structures, error codes).
- :mod:`mptool.device.checks`: the check table (``device.sdf.*``).
- :mod:`mptool.device.runner`: runs the checks in a child process (a crashing library is reported).
- :mod:`mptool.device.softsdf`: the simulated device (C source + builder). See docs/device.md.
"""
