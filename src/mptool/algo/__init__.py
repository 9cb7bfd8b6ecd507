"""Algorithm validation: SM2, SM3, SM4, AES, DES/3DES, RSA."""
