"""Known-answer vectors: one loader (:mod:`.loader`) for the CLI and the tests.

Formats: NIST CAVP ``.rsp``/``.txt`` (:mod:`.cavp`), the RSA Laboratories PKCS#1 example
files (:mod:`.pkcs1`), Wycheproof JSON (:mod:`.wycheproof`), ACVP prompt + expectedResults
JSON (:mod:`.acvp`) and mptool's own GM vector JSON (:mod:`.gmjson`).
"""
