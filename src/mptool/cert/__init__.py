"""Certificate format checks and chain verification."""
