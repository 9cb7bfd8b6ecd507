"""Core of mptool: the evidence model, check registry, inputs and exit-code policy.

``mptool.core`` imports nothing else from mptool (see docs/architecture.md).
"""
