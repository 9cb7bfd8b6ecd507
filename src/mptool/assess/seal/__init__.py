"""The sealed case archive for 档案管理: a manifest of every file (size, SM3, SHA-256) signed with SM2.

Layout inside the case directory (``seal/`` is excluded from the manifest)::

    seal/manifest.json   canonical JSON (UTF-8, sorted keys, no spaces, final newline)
    seal/manifest.sig    SM2 signature (DER SEQUENCE{r, s}) over the exact bytes of manifest.json,
                         e = SM3(ZA || M) with the user ID 1234567812345678 (GB/T 32918.2, GB/T 35276)
    seal/signer.pem      the signer's X.509 certificate (its SM2 public key verifies the signature)

A third party checks it with OpenSSL 3 (see docs/report.md)::

    openssl pkeyutl -verify -rawin -digest sm3 -in seal/manifest.json -sigfile seal/manifest.sig \\
        -certin -inkey seal/signer.pem -pkeyopt distid:1234567812345678
    # (OpenSSL 3.0 pkeyutl's default SM2 ID is empty: the distid option is required)
    # then compare each file's SM3 with manifest.json: openssl dgst -sm3 FILE
"""

from mptool.assess.seal.manifest import SEAL_DIR, SealReport, seal_case, verify_case

__all__ = ["SEAL_DIR", "SealReport", "seal_case", "verify_case"]
