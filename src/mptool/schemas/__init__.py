"""Committed JSON Schemas shipped with mptool."""
