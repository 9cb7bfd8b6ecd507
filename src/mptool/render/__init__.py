"""Rendering of evidence: JSON (the one serializer) and rich text, both from the same model."""
