"""The reasons a channel verdict gives, as a catalogue: one code and English template each.

A reason is both the English sentence the evidence has always carried (``reasons``) and a code
with its arguments (``reason_codes``), so that a Chinese report can say it in Chinese
(``core/i18n/zh.yaml`` ``reasons:``, the same fields; words among the arguments, such as an
alert's sender, through ``reason_terms:``) instead of quoting English. The codes are stable
identifiers: a new reason needs an entry here and in zh.yaml (tests/proto/analyze/test_reason_codes.py).
"""

from __future__ import annotations

from typing import Any

#: code → English template (``str.format`` fields).
REASONS: dict[str, str] = {
    # bulk ciphers and MACs (verdict.cipher_verdict, mac_verdict)
    "cipher.gm": "cipher {cipher} is a GM algorithm",
    "cipher.weak": "cipher {cipher}: {why}",
    "cipher.unknown": "cipher not known",
    "cipher.not_gm": "cipher {cipher} is not a GM algorithm",
    "mac.gm": "integrity with {mac} (GM)",
    "mac.md5": "integrity with {mac} (MD5)",
    "mac.unknown": "integrity algorithm not known",
    "mac.not_gm": "integrity with {mac}, not a GM algorithm",
    "aead.gm": "integrity by the AEAD cipher {cipher} (SM4)",
    "aead.not_gm": "integrity by the AEAD cipher {cipher}, not a GM algorithm",
    # TLS / TLCP (judge.tls)
    "tls.no_server_hello": "no ServerHello in the capture: the negotiated version and suite are unknown",
    "tls.version_obsolete": "protocol version {version} is obsolete",
    "tls.fatal_alert": "handshake aborted by a fatal {alert} alert from the {sender}",
    "tls.incomplete": "the handshake was not seen to complete",
    "tls.suite_weak": "cipher suite {suite}: {why}",
    "tls.anonymous": "anonymous key exchange: the server is not authenticated",
    "tls.rfc8998_curvesm2": "RFC 8998 suite with key exchange on curveSM2",
    "tls.rfc8998_other_group": "RFC 8998 suite but key exchange on {group}, not curveSM2",
    "tls.group_not_gm": "key exchange on {group}, not a GM group",
    "tls.tls13_auth_hidden": "TLS 1.3 encrypts the certificate and its signature: the authentication algorithm is not visible",
    "tls.no_certificate": "no server certificate in the capture",
    "tls.certificate_weak_signature": "certificate {subject} is signed with {algorithm}",
    "tls.sm2_certificate": "server authenticated with an SM2 certificate",
    "tls.short_rsa_key": "server key {key} is shorter than 2048 bits",
    "tls.not_sm2_certificate": "server authenticated with a {key} certificate, not SM2",
    "tls.unknown_key": "server certificate key {key} not recognised",
    "tls.ske_weak_signature": "ServerKeyExchange signed with {scheme}",
    "tls.rsa_key_transport": "RSA key transport: no forward secrecy",
    # IKE / ESP (judge.ipsec)
    "ike.not_established": "no IKE SA was established in the capture; the offer is recorded",
    "ike.not_established_notify": "no IKE SA was established in the capture ({errors}); the offer is recorded",
    "ike.gm_offer": "the offer is GM/T 0022-style (SM4/SM1, SM3, SM2 digital envelope)",
    "ike.no_sa": "no SA payload in clear",
    "ike.v2_auth_hidden": "IKEv2 authentication (IKE_AUTH) is encrypted: the method is not visible",
    "ike.esp_hidden": "the ESP algorithms are negotiated in the encrypted {exchange}: not visible in the capture",
    "ike.sha1_prf": "SHA-1 as the IKE hash/PRF (not a signature; not GM)",
    "ike.envelope_sm2": "digital-envelope authentication with SM2 certificates (GM/T 0022)",
    "ike.envelope_not_sm2": "digital-envelope authentication without SM2 (asymmetric algorithm type not 2)",
    "ike.psk": "pre-shared key: no certificate-based (SM2) authentication",
    "ike.auth_not_sm2": "authentication by {method}, not SM2",
    "ike.small_group": "Diffie-Hellman group {group} is shorter than 2048 bits",
    "ike.phase1_incomplete": "{version} phase 1 did not complete: nothing was negotiated",
    "ike.ike_sa_incomplete": "{version} IKE SA did not complete: nothing was negotiated",
    "ike.v2_auth_method": "{method} in IKE_AUTH (RFC 7296 §2.15): no certificate-based (SM2) authentication",
    "ike.no_child_sa": "no CHILD/ESP SA was negotiated",
    # the GM/T 0022 exchange of mptool's own IPSec VPN (proto.ipsec.gm.evidence)
    "gmipsec.phase1_incomplete": "phase 1 did not complete: nothing was negotiated",
    "gmipsec.envelope": "digital-envelope authentication with SM2 signing/encryption certificates (GM/T 0022)",
    "gmipsec.prf_sm3": "IKE hash/PRF SM3 (HMAC-SM3)",
    "gmipsec.esp": "ESP {name} (GM)",
    "gmipsec.esp_integrity": "ESP integrity {integrity} (GM)",
    "gmipsec.quick_mode_incomplete": "quick mode did not complete: no ESP SA",
    # protocols in clear (judge.cleartext)
    "clear.unrecognised": "{transport} traffic not recognised as a cryptographic protocol ({name} by port): no protection visible, contents not judged",
    "clear.no_authentication": "{name} in clear: no cryptographic entity authentication",
    "clear.no_integrity": "{name} in clear: no integrity protection",
    "clear.no_encryption": "{name} in clear: no encryption",
    "clear.management": "{name} is a remote-management/login protocol without cryptography (candidate HR-DEV-RMGT)",
    "clear.credentials": "authentication data sent in clear ({count} credential(s) seen)",
    "clear.login": "a login over {name} without cryptography (candidate HR-DEV-RMGT if it manages a device)",
    # SSH (proto.ssh.verdicts)
    "ssh.kexinit_missing": "the capture does not hold both SSH_MSG_KEXINIT messages: algorithms not known",
    "ssh.kex_incomplete": "the key exchange did not complete in the capture (no SSH_MSG_NEWKEYS from both sides)",
    "ssh.unknown": "{role} {name}: not known to mptool",
    "ssh.gm": "{role} {name}{detail}: SM algorithm (name-based, confidence L)",
    "ssh.weak": "{role} {name}{detail}: weak",
    "ssh.not_gm": "{role} {name}{detail}: not a GM algorithm",
    "ssh.v1_99": "protocol version SSH-1.99: the server also accepts SSH-1 (high-risk candidate HR-GEN-TECH)",
    "ssh.v1": "protocol version SSH-{version}: SSH-1 (high-risk candidate HR-GEN-TECH)",
    "ssh.host_key_rsa_short": "server host key RSA-{bits} {fingerprint} (below 2048 bits)",
    "ssh.host_key_rsa": "server host key RSA-{bits} {fingerprint}: not a GM algorithm",
    "ssh.host_key_dsa": "server host key DSA-{bits} {fingerprint}: weak",
    "ssh.host_key_size_unknown": "server host key {type} {fingerprint}: size not read",
    "ssh.host_key": "server host key {type} ({size} bits) {fingerprint}",
    "ssh.no_common": "no common {role} algorithm: the key exchange fails (RFC 4253 §7.1)",
    "ssh.no_common_direction": "no common {role} algorithm ({direction}): the key exchange fails (RFC 4253 §7.1)",
    "ssh.gex_group": "group-exchange MODP group of {bits} bits (MODP-{bits})",
    "ssh.gex_group_small": "group-exchange MODP group of {bits} bits (MODP-{bits}): below 2048 bits",
}


class Reason(str):
    """The English text of one catalogued reason, remembering its code and arguments.

    It is a ``str`` (the text every finding and ``reasons`` list has always held), so the judges
    and whoever merges their reasons keep comparing and joining text. Equal reasons are one
    object (a capture of 20,000 connections gives the same few reasons again and again): build
    one with ``Reason(code, **args)``, never mutate what :meth:`as_code` returns.
    """

    code: str
    args: dict[str, str]
    _code: dict[str, Any]

    def __new__(cls, code: str, **args: Any) -> Reason:
        key: tuple[str, tuple[tuple[str, Any], ...]] | None = (code, tuple(args.items()))  # as given: the judges pass str, int or None
        try:
            known = _INTERNED.get(key)
        except TypeError:  # an unhashable argument: a reason of its own
            known, key = None, None
        if known is not None:
            return known
        values = {name: "" if value is None else str(value) for name, value in args.items()}
        self = super().__new__(cls, REASONS[code].format(**values))
        self.code, self.args = code, values
        self._code = {"code": code, "args": values} if values else {"code": code}
        if key is not None:
            if len(_INTERNED) >= _INTERNED_MAX:
                _INTERNED.clear()
            _INTERNED[key] = self
        return self

    def __reduce__(self) -> tuple[Any, ...]:  # pickled across --jobs workers
        return (_rebuild, (self.code, self.args))

    def as_code(self) -> dict[str, Any]:
        """``{"code", "args"}`` for the evidence's ``reason_codes`` (``args`` left out when there are none)."""
        return self._code


_INTERNED: dict[tuple[str, tuple[tuple[str, Any], ...]], Reason] = {}
_INTERNED_MAX = 20_000  #: distinct reasons kept (a bound for captures of many certificates)


def _rebuild(code: str, args: dict[str, str]) -> Reason:
    return Reason(code, **args)


def code_of(reason: str) -> dict[str, Any] | None:
    """The ``reason_codes`` entry of a reason (None for a plain string: nothing to translate)."""
    return reason._code if isinstance(reason, Reason) else None
