"""GM/T 0005-2021 randomness tests."""
