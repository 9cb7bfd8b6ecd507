"""Certification path validation (RFC 5280 §6.1): the model, candidate building and the rules."""
