"""The GM/T 0018 SDF binding: constants (error codes, algorithm ids, function set), structures, ctypes calls."""
