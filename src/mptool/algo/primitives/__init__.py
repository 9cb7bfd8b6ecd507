"""The block-cipher and encoding primitives: SM4/AES/DES/3DES in every mode (``cryptography`` and our own
CCM/GCM/XTS/CFB1/CFB8), the ANSI X9.52 interleaved TDES modes, and values as people give them."""
