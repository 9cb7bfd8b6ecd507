"""The three checks of a sampled column and the verdicts they give (the evidence contract, docs/data.md).

Confidentiality verdicts (``data.column.protection``, indicator APP-SCONF):

- ``encrypted_established``: a key decrypts the values; algorithm, mode and IV layout established;
- ``looks_encrypted_not_verified``: high byte entropy, not text, but no key established anything;
- ``encoding_only``: hex or Base64 of readable text;
- ``plaintext``: readable text, or low-entropy bytes, stored as is.

Integrity verdicts (``data.column.integrity``, indicator APP-SINTEG): ``integrity_established``,
``integrity_partial`` (some rows do not verify) and ``integrity_not_established``.

Each result carries ``measurements.indicators``: ``[{"indicator", "D", "A", "K", "reason"}]``
with D (密码使用安全: the protection is in place and works), A (算法合规: the algorithm is a
commercial cryptographic algorithm) and K (密钥管理, never judged from data: null); null = not
determinable from the data.
"""

from __future__ import annotations

from typing import Any

from mptool.core.model import CheckResult, Finding, Severity, Status
from mptool.core.registry import check
from mptool.data.judge.analysis import TEXT_MAJORITY, Stats
from mptool.data.judge.decrypt import APPROVED, Decryption
from mptool.data.judge.encoding import Decoded
from mptool.data.judge.integrity import Verification

VERDICTS: tuple[str, ...] = ("encrypted_established", "looks_encrypted_not_verified", "encoding_only", "plaintext")
INTEGRITY_VERDICTS: tuple[str, ...] = ("integrity_established", "integrity_partial", "integrity_not_established")

#: A few failed GM/T 0005 items are expected by chance on a short sample (a set of 2-50 sequences
#: of 20,000 bits, 22 items at alpha 0.01): the finding needs more than this share of items failing.
RANDOMNESS_FAIL_SHARE = 0.2

_P = "data.column.protection"
_D = "data.column.decrypt"
_I = "data.column.integrity"


def _indicator(indicator: str, d: bool | None, a: bool | None, reason: str) -> dict[str, Any]:
    return {"indicator": indicator, "D": d, "A": a, "K": None, "reason": reason}


@check(
    _P,
    "Stored column: encrypted, encoded or plaintext (重要数据存储机密性)",
    "GB/T 39786-2021 6.4 d), 7.4 d), 8.4 e), 9.4 e) (important data at rest, confidentiality); GB/T 43206-2023 6.4.5; GM/T 0005-2021 (randomness of the stored bytes)",
    {
        f"{_P}.plaintext": "the sampled values are readable text (or low-entropy structured bytes) stored without encryption",
        f"{_P}.encoding_only": "the values are hex or Base64 encodings of readable text: an encoding, not encryption",
        f"{_P}.not_verified": "the values look like ciphertext (high byte entropy, not text) but no key established an algorithm: give --key to verify",
        f"{_P}.non_approved_algorithm": "the values decrypt with an algorithm that is not a commercial cryptographic (GM) algorithm, e.g. AES",
        f"{_P}.repeated_values": "identical stored values in different rows of an encrypted-looking column: deterministic encryption (ECB or a fixed IV) or a constant leaks equality",
        f"{_P}.randomness_failed": "the concatenated stored bytes of an encrypted-looking column fail more than a fifth of the GM/T 0005-2021 items",
        f"{_P}.no_values": "the sample holds no non-null value: nothing to judge",
        f"{_P}.too_few_bytes": "the sample holds too few bytes for the byte entropy to say whether the values are random-looking",
    },
)
def judge_protection(subject: str, decoded: Decoded, stats: Stats, randomness: dict[str, Any] | None, decryption: Decryption | None) -> CheckResult:
    """Judge one sampled column's confidentiality from its values.

    The column's encoding is detected (raw bytes, hex, Base64, plain text); on the decoded bytes the
    share of UTF-8 text values, the byte entropy against the entropy expected of as many random
    bytes, repeated values and repeated 16-byte blocks across rows, the length distribution and
    block alignment are measured, and the GM/T 0005-2021 suite is run on the concatenated bytes
    when they hold at least one 20,000-bit sequence. With a key (``data.column.decrypt``) the
    verdict is ``encrypted_established`` when the values decrypt; otherwise text is ``plaintext``,
    hex/Base64 of text ``encoding_only``, random-looking bytes ``looks_encrypted_not_verified``
    and other low-entropy bytes ``plaintext``. Only counts, lengths, entropy and verdicts are
    recorded, never a value.
    """
    spec = judge_protection.spec  # type: ignore[attr-defined]
    findings: list[Finding] = []
    measurements: dict[str, Any] = {"encoding": decoded.encoding, "encoding_share": round(decoded.share, 4), "nulls": decoded.nulls, **stats.measurements()}
    if randomness is not None:
        measurements["randomness"] = randomness
    if stats.values == 0:
        findings.append(Finding(code=f"{_P}.no_values", severity=Severity.WARN, message="no non-null value in the sample"))
        head = {"verdict": "looks_encrypted_not_verified", "indicators": [_indicator("APP-SCONF", None, None, "no value sampled")]}
        return spec.result(Status.WARN, subject=subject, measurements={**head, **measurements}, findings=findings)
    encoded = decoded.encoding in ("hex", "base64", "base64url")
    established = decryption is not None and decryption.established and decryption.candidate is not None
    if established:
        assert decryption is not None and decryption.candidate is not None
        c = decryption.candidate
        name = f"{c.algorithm.upper()}-{c.mode.upper()}"
        approved = c.algorithm in APPROVED
        verdict = "encrypted_established"
        reason = f"{decryption.decrypted} of {decryption.values} values decrypt with {name} ({c.layout})"
        measurements.update(algorithm=c.algorithm.upper(), mode=c.mode.upper(), iv_layout=c.layout, decrypted_share=round(decryption.share, 4))
        if not approved:
            findings.append(Finding(code=f"{_P}.non_approved_algorithm", severity=Severity.ERROR, message=f"{reason}: {c.algorithm.upper()} is not a commercial cryptographic algorithm (use SM4)"))
        indicator = _indicator("APP-SCONF", True, approved, reason + ("" if approved else f"; {c.algorithm.upper()} is not a GM algorithm"))
    elif stats.text_share >= TEXT_MAJORITY:
        verdict = "encoding_only" if encoded else "plaintext"
        share = f"{stats.text_share:.0%} of {stats.values} values"
        if encoded:
            reason = f"{share} are {decoded.encoding} of readable text: encoding, not encryption"
            findings.append(Finding(code=f"{_P}.encoding_only", severity=Severity.ERROR, message=reason))
        else:
            reason = f"{share} are readable text stored as is"
            findings.append(Finding(code=f"{_P}.plaintext", severity=Severity.ERROR, message=reason))
        indicator = _indicator("APP-SCONF", False, False, reason + "; no cryptographic protection")
    elif stats.looks_random is None:
        verdict = "looks_encrypted_not_verified"
        reason = f"only {stats.total_bytes} bytes sampled, not text: too few to judge"
        findings.append(Finding(code=f"{_P}.too_few_bytes", severity=Severity.INFO, message=reason))
        indicator = _indicator("APP-SCONF", None, None, reason)
    elif stats.looks_random:
        verdict = "looks_encrypted_not_verified"
        reason = f"byte entropy {stats.entropy:.3f} bits/byte (random-looking from {stats.entropy_threshold:.3f}), not text, but no key established the algorithm"
        findings.append(Finding(code=f"{_P}.not_verified", severity=Severity.WARN, message=reason))
        indicator = _indicator("APP-SCONF", None, None, reason)
    else:
        verdict = "plaintext"
        reason = f"byte entropy {stats.entropy:.3f} bits/byte, below {stats.entropy_threshold:.3f} expected of ciphertext, and not text: structured data, not encrypted"
        findings.append(Finding(code=f"{_P}.plaintext", severity=Severity.ERROR, message=reason))
        indicator = _indicator("APP-SCONF", False, False, reason)
    if verdict in ("encrypted_established", "looks_encrypted_not_verified"):
        if stats.duplicates:
            findings.append(
                Finding(
                    code=f"{_P}.repeated_values",
                    severity=Severity.WARN,
                    message=f"{stats.duplicates} of {stats.values} values repeat an earlier one (at most {stats.max_repeat} times), {stats.repeated_blocks} 16-byte blocks recur: deterministic encryption or a constant",
                )
            )
            measurements["deterministic"] = True
        if randomness and randomness.get("verdict") == "fail" and randomness["items_failed"] > RANDOMNESS_FAIL_SHARE * randomness["items"]:
            findings.append(Finding(code=f"{_P}.randomness_failed", severity=Severity.WARN, message=f"GM/T 0005-2021 on {randomness['sequences']} x {randomness['bits']} bits: {randomness['items_failed']} of {randomness['items']} items fail ({', '.join(randomness['tests_failed'])})"))
    status = _status(findings, default=Status.PASS)
    return spec.result(status, subject=subject, measurements={"verdict": verdict, "indicators": [indicator], **measurements}, findings=findings)


def _status(findings: list[Finding], default: Status) -> Status:
    if any(f.severity is Severity.ERROR for f in findings):
        return Status.FAIL
    if any(f.severity is Severity.WARN for f in findings):
        return Status.WARN
    return default


@check(
    _D,
    "Stored column: the key decrypts it (algorithm, mode, IV layout established)",
    "GB/T 39786-2021 8.4 e), 9.4 e); GB/T 32907-2016 (SM4); GB/T 17964-2021 (modes of operation)",
    {
        f"{_D}.not_established": "no algorithm, mode and IV layout tried decrypts the sampled values with a valid padding, a verifying tag or text plaintext under the key",
        f"{_D}.partial": "only part of the sampled values decrypt under the established algorithm, mode and IV layout",
        f"{_D}.constant_iv": "every sampled value carries the same IV or nonce: equal plaintext prefixes show, and a repeated GCM/CTR nonce breaks confidentiality",
        f"{_D}.ambiguous": "another mode or IV layout explains the values equally well (e.g. single-block ECB and CBC with an all-zero IV)",
    },
)
def judge_decryption(subject: str, decryption: Decryption) -> CheckResult:
    """Decrypt every sampled value of a column with the key given (``--key``).

    SM4 and AES (as the key length allows, or ``--algorithm``) in GCM, ECB, CBC, CTR, CFB and OFB
    (or ``--mode``), with the IV/nonce prefixed, appended, all-zero or given (``--iv``), are tried
    on the first values; a combination counts a value as decrypted when the GCM tag verifies,
    when PKCS#7 padding is valid after ECB/CBC, or (stream modes, which prove nothing else) when
    the plaintext is UTF-8 text. The best combination is applied to every value: it is
    established when at least half decrypt. The share decrypted, the IVs' distinctness and the
    alternatives are recorded; plaintexts and the key never are.
    """
    spec = judge_decryption.spec  # type: ignore[attr-defined]
    findings: list[Finding] = []
    if not decryption.established:
        best = f"; best: {decryption.candidate.name} with {decryption.decrypted} of {decryption.values}" if decryption.candidate else ""
        findings.append(Finding(code=f"{_D}.not_established", severity=Severity.ERROR, message=f"none of {decryption.candidates_tried} combinations decrypts the values under the key{best}"))
    else:
        assert decryption.candidate is not None
        if decryption.decrypted < decryption.values:
            findings.append(Finding(code=f"{_D}.partial", severity=Severity.WARN, message=f"{decryption.values - decryption.decrypted} of {decryption.values} values do not decrypt with {decryption.candidate.name}"))
        if decryption.ivs_distinct == 1 and decryption.decrypted > 1:
            findings.append(Finding(code=f"{_D}.constant_iv", severity=Severity.WARN, message=f"all {decryption.decrypted} decrypted values carry the same IV/nonce"))
        if decryption.alternatives:
            findings.append(Finding(code=f"{_D}.ambiguous", severity=Severity.INFO, message=f"also explained by {', '.join(decryption.alternatives[:4])}"))
    return spec.result(_status(findings, Status.PASS), subject=subject, measurements=decryption.measurements(), findings=findings)


@check(
    _I,
    "Stored integrity column: HMAC-SM3 / SM2 signature verifies over the row (重要数据存储完整性)",
    "GB/T 39786-2021 6.4 f), 7.4 f), 8.4 g), 9.4 g) (important data at rest, integrity); GB/T 43206-2023 6.4.7; GM/T 0042-2015 (HMAC-SM3); GB/T 32918.2-2016 (SM2 signature); GB/T 32905-2016 (SM3)",
    {
        f"{_I}.mismatch": "rows whose stored MAC or signature does not verify over the named columns: tampered, or written without recomputing the value",
        f"{_I}.not_established": "no sampled row's MAC or signature verifies under the key with any construction tried: wrong key, other columns or another construction",
        f"{_I}.no_values": "the sample holds no row: nothing to verify",
    },
)
def judge_integrity(subject: str, verification: Verification) -> CheckResult:
    """Verify a column holding an HMAC-SM3 (``--mac-key``) or SM2 signature (``--sign-key``) per row.

    The message is the row's named columns (``--mac-over``, default the sampled columns) as
    stored, joined with no separator or one of | , TAB :, and the stored value is read as hex,
    Base64 or raw bytes: the construction that verifies most of the first rows is applied to
    every sampled row. All rows verifying is ``integrity_established`` (D true); some failing is
    ``integrity_partial`` with each failing row's position in the sample (D false: tampered rows
    or rows written without the MAC); none is ``integrity_not_established`` (D unknown: the key or
    construction may be another).
    """
    spec = judge_integrity.spec  # type: ignore[attr-defined]
    findings: list[Finding] = []
    m: dict[str, Any] = {"verdict": None, "indicators": [], **verification.measurements()}
    approved = True  # HMAC-SM3 and SM2 are GM algorithms
    if verification.rows == 0:
        findings.append(Finding(code=f"{_I}.no_values", severity=Severity.WARN, message="no row sampled"))
        m.update(verdict="integrity_not_established", indicators=[_indicator("APP-SINTEG", None, None, "no row sampled")])
        return spec.result(Status.WARN, subject=subject, measurements=m, findings=findings)
    if not verification.established:
        reason = f"none of {verification.constructions_tried} constructions verifies the rows with {verification.algorithm}" if verification.verified == 0 else f"only {verification.verified} of {verification.rows} rows verify with {verification.algorithm}"
        findings.append(Finding(code=f"{_I}.not_established", severity=Severity.ERROR, message=reason))
        m.update(verdict="integrity_not_established", indicators=[_indicator("APP-SINTEG", None, None, reason + ": wrong key or another construction")])
        return spec.result(Status.FAIL, subject=subject, measurements=m, findings=findings)
    failed = verification.rows - verification.verified
    if failed:
        reason = f"{verification.algorithm} over {', '.join(verification.construction['columns'])} verifies {verification.verified} of {verification.rows} rows; {failed} do not"  # type: ignore[index]
        findings.append(
            Finding(code=f"{_I}.mismatch", severity=Severity.ERROR, message=reason + ": tampered, or written without the MAC", location={"sample_positions": verification.failed_positions[:50]})
        )
        m.update(verdict="integrity_partial", indicators=[_indicator("APP-SINTEG", False, approved, reason)])
        return spec.result(Status.FAIL, subject=subject, measurements=m, findings=findings)
    reason = f"{verification.algorithm} over {', '.join(verification.construction['columns'])} verifies all {verification.rows} sampled rows"  # type: ignore[index]
    m.update(verdict="integrity_established", indicators=[_indicator("APP-SINTEG", True, approved, reason)])
    return spec.result(Status.PASS, subject=subject, measurements=m, findings=findings)
