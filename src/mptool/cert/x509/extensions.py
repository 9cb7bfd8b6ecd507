"""Extensions the checks know (RFC 5280 §4.2, RFC 6962, GM/T 0015 private extensions)."""

from __future__ import annotations

from mptool.cert.x509 import oids

#: extensions a linter recognises (a critical one is not "unknown" for CERT-FMT-015)
KNOWN_EXTENSIONS: frozenset[str] = frozenset(
    oids.PROCESSED_EXTENSIONS
    | oids.POLICY_EXTENSIONS
    | {
        oids.EXT_SIA,
        oids.EXT_SCT,
        "2.5.29.9",  # subjectDirectoryAttributes
        "2.5.29.16",  # privateKeyUsagePeriod
        "1.3.6.1.5.5.7.1.3",  # qcStatements
        "1.3.6.1.4.1.11129.2.4.3",  # precertificate poison
        "1.3.6.1.5.5.7.48.1.5",  # OCSP no check
        "2.5.29.46",  # freshestCRL
    }
)


def is_gmt0015_private(oid: str) -> bool:
    """Whether ``oid`` is in the GM/T 0015 private-extension arc (1.2.156.10260.4.1.*)."""
    return oid.startswith(oids.GMT0015_PRIVATE_ARC)
