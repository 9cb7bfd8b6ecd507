"""mptool: a command-line crypto testing toolkit for commercial cryptography assessment (密评)."""

__version__ = "0.1.0"
