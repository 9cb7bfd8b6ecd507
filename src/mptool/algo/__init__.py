"""Algorithm validation: SM2, SM3, SM4, AES, DES/3DES, RSA.

Constants every layer may need without importing the algorithms (the CLI's help texts, other
domains' defaults) are defined here, once.
"""

#: The default SM2 user ID of GB/T 35276-2017 §10 (also GM/T 0009-2012): ZA is computed over it.
DEFAULT_SM2_USER_ID = b"1234567812345678"
