"""SSH algorithm names (RFC 4250 §4.11 / the IANA "Secure Shell (SSH) Protocol Parameters"
registry, and the OpenSSH ``@openssh.com`` names) with what mptool judges of each.

Each entry: verdict class (``gm`` SM algorithm, ``strong`` secure but not SM, ``weak``), the
security strength in bits (NIST SP 800-57 Part 1 Rev. 5 tables 2-3 equivalents, for ``assess``
Ra) and the defining document:

- RFC 4253 §6.3-§6.5, §8 (3des-cbc, aes*-cbc, arcfour, none, hmac-sha1/-96, hmac-md5/-96,
  ssh-rsa, ssh-dss, diffie-hellman-group1-sha1, diffie-hellman-group14-sha1);
- RFC 4344 §4 (aes*-ctr, 3des-ctr); RFC 4345 (arcfour128/256); RFC 4419 (group-exchange);
- RFC 5656 §6.3 (ecdh-sha2-nistp*), §6.2 (ecdsa-sha2-nistp*); RFC 5647 (AEAD_AES_*_GCM);
- RFC 6668 (hmac-sha2-256/512); RFC 8268 (diffie-hellman-group14-sha256, group15/16/17/18-sha512);
- RFC 8308 (ext-info-c/-s); RFC 8332 (rsa-sha2-256/512); RFC 8709 (ssh-ed25519, ssh-ed448);
- RFC 8731 (curve25519-sha256, curve448-sha512); RFC 9142 (kex guidance: SHA-1 and group1
  kex MUST NOT, group14-sha1 SHOULD NOT);
- OpenSSH PROTOCOL and PROTOCOL.chacha20poly1305 (chacha20-poly1305@openssh.com,
  aes*-gcm@openssh.com, *-etm@openssh.com, umac-*, sntrup761x25519-sha512@openssh.com,
  mlkem768x25519-sha256, kex-strict-c/s-v00@openssh.com from OpenSSH 9.6, CVE-2023-48795).

SM names: no SSH algorithm name for SM2/SM3/SM4 is registered with IANA or published by GM/T;
vendor builds use private names (``sm4-ctr``, ``sm4-gcm@…``, ``hmac-sm3``, ``sm2`` and similar).
mptool therefore classifies an unknown name that contains ``sm2``, ``sm3`` or ``sm4`` as GM
(:func:`classify`); **confidence L** — the evaluator confirms against the product's documentation.
"""

from __future__ import annotations

from dataclasses import dataclass

GM = "gm"
STRONG = "strong"
WEAK = "weak"
PSEUDO = "pseudo"  #: signalling names in the kex list (RFC 8308, strict kex), not algorithms


@dataclass(frozen=True)
class Algorithm:
    name: str
    kind: str  #: kex, hostkey, cipher, mac, compression
    cls: str
    bits: int | None
    reference: str
    note: str = ""


def _t(kind: str, rows: list[tuple[str, str, int | None, str, str]]) -> dict[str, Algorithm]:
    return {name: Algorithm(name, kind, cls, bits, ref, note) for name, cls, bits, ref, note in rows}


KEX = _t("kex", [
    ("diffie-hellman-group1-sha1", WEAK, 80, "RFC 4253 §8.1; RFC 9142 §4", "1024-bit MODP group with SHA-1: MUST NOT (RFC 9142)"),
    ("diffie-hellman-group14-sha1", WEAK, 112, "RFC 4253 §8.2; RFC 9142 §4", "SHA-1 exchange hash: SHOULD NOT (RFC 9142)"),
    ("diffie-hellman-group14-sha256", STRONG, 112, "RFC 8268 §3", "2048-bit MODP group"),
    ("diffie-hellman-group15-sha512", STRONG, 128, "RFC 8268 §3", "3072-bit MODP group"),
    ("diffie-hellman-group16-sha512", STRONG, 128, "RFC 8268 §3", "4096-bit MODP group"),
    ("diffie-hellman-group17-sha512", STRONG, 128, "RFC 8268 §3", "6144-bit MODP group"),
    ("diffie-hellman-group18-sha512", STRONG, 192, "RFC 8268 §3", "8192-bit MODP group"),
    ("diffie-hellman-group-exchange-sha1", WEAK, None, "RFC 4419 §4.1; RFC 9142 §4", "SHA-1 exchange hash: SHOULD NOT (RFC 9142)"),
    ("diffie-hellman-group-exchange-sha256", STRONG, None, "RFC 4419 §4.2", "group size chosen by the server (see the GEX group)"),
    ("ecdh-sha2-nistp256", STRONG, 128, "RFC 5656 §6.3", "NIST P-256"),
    ("ecdh-sha2-nistp384", STRONG, 192, "RFC 5656 §6.3", "NIST P-384"),
    ("ecdh-sha2-nistp521", STRONG, 256, "RFC 5656 §6.3", "NIST P-521"),
    ("curve25519-sha256", STRONG, 128, "RFC 8731 §3", "X25519"),
    ("curve25519-sha256@libssh.org", STRONG, 128, "RFC 8731 §3", "X25519 (pre-RFC name)"),
    ("curve448-sha512", STRONG, 224, "RFC 8731 §3", "X448"),
    ("sntrup761x25519-sha512@openssh.com", STRONG, 128, "OpenSSH PROTOCOL; draft-josefsson-ntruprime-ssh", "hybrid Streamlined NTRU Prime + X25519"),
    ("sntrup761x25519-sha512", STRONG, 128, "draft-josefsson-ntruprime-ssh", "hybrid Streamlined NTRU Prime + X25519"),
    ("mlkem768x25519-sha256", STRONG, 128, "draft-ietf-sshm-mlkem-hybrid-kex", "hybrid ML-KEM-768 + X25519"),
    ("ext-info-c", PSEUDO, None, "RFC 8308 §2.1", "client accepts SSH_MSG_EXT_INFO"),
    ("ext-info-s", PSEUDO, None, "RFC 8308 §2.1", "server accepts SSH_MSG_EXT_INFO"),
    ("kex-strict-c-v00@openssh.com", PSEUDO, None, "OpenSSH PROTOCOL §1.10 (strict kex, CVE-2023-48795)", "client supports strict kex"),
    ("kex-strict-s-v00@openssh.com", PSEUDO, None, "OpenSSH PROTOCOL §1.10 (strict kex, CVE-2023-48795)", "server supports strict kex"),
])

HOSTKEY = _t("hostkey", [
    ("ssh-rsa", WEAK, None, "RFC 4253 §6.6; RFC 8332 §5", "RSA with SHA-1 signatures"),
    ("rsa-sha2-256", STRONG, None, "RFC 8332 §3", "RSA with SHA-256 signatures; strength from the modulus"),
    ("rsa-sha2-512", STRONG, None, "RFC 8332 §3", "RSA with SHA-512 signatures; strength from the modulus"),
    ("ssh-dss", WEAK, 80, "RFC 4253 §6.6", "1024-bit DSA with SHA-1"),
    ("ecdsa-sha2-nistp256", STRONG, 128, "RFC 5656 §6.2", "ECDSA P-256"),
    ("ecdsa-sha2-nistp384", STRONG, 192, "RFC 5656 §6.2", "ECDSA P-384"),
    ("ecdsa-sha2-nistp521", STRONG, 256, "RFC 5656 §6.2", "ECDSA P-521"),
    ("ssh-ed25519", STRONG, 128, "RFC 8709 §4", "Ed25519"),
    ("ssh-ed448", STRONG, 224, "RFC 8709 §4", "Ed448"),
    ("sk-ssh-ed25519@openssh.com", STRONG, 128, "OpenSSH PROTOCOL.u2f", "FIDO Ed25519"),
    ("sk-ecdsa-sha2-nistp256@openssh.com", STRONG, 128, "OpenSSH PROTOCOL.u2f", "FIDO ECDSA P-256"),
])
for _name, _alg in list(HOSTKEY.items()):  # OpenSSH certificate forms (PROTOCOL.certkeys)
    _base = {"rsa-sha2-256": "rsa-sha2-256-cert-v01@openssh.com", "rsa-sha2-512": "rsa-sha2-512-cert-v01@openssh.com"}.get(_name)
    _cert = _base or (_name.replace("@openssh.com", "") + "-cert-v01@openssh.com")
    HOSTKEY[_cert] = Algorithm(_cert, "hostkey", _alg.cls, _alg.bits, _alg.reference + "; OpenSSH PROTOCOL.certkeys", _alg.note + " (OpenSSH certificate)")

CIPHER = _t("cipher", [
    ("none", WEAK, 0, "RFC 4253 §6.3", "no encryption"),
    ("3des-cbc", WEAK, 112, "RFC 4253 §6.3", "3DES (64-bit block)"),
    ("3des-ctr", WEAK, 112, "RFC 4344 §4", "3DES (64-bit block)"),
    ("blowfish-cbc", WEAK, None, "RFC 4253 §6.3", "Blowfish (64-bit block)"),
    ("blowfish-ctr", WEAK, None, "RFC 4344 §4", "Blowfish (64-bit block)"),
    ("cast128-cbc", WEAK, None, "RFC 4253 §6.3", "CAST-128 (64-bit block)"),
    ("idea-cbc", WEAK, None, "RFC 4253 §6.3", "IDEA (64-bit block)"),
    ("arcfour", WEAK, 40, "RFC 4253 §6.3", "RC4"),
    ("arcfour128", WEAK, 40, "RFC 4345", "RC4"),
    ("arcfour256", WEAK, 40, "RFC 4345", "RC4"),
    ("des-cbc", WEAK, 56, "RFC 4253 §6.3 (historic)", "single DES"),
    ("aes128-cbc", STRONG, 128, "RFC 4253 §6.3", "AES-128 in CBC mode (SSH CBC plaintext recovery, CVE-2008-5161)"),
    ("aes192-cbc", STRONG, 192, "RFC 4253 §6.3", "AES-192 in CBC mode (CVE-2008-5161)"),
    ("aes256-cbc", STRONG, 256, "RFC 4253 §6.3", "AES-256 in CBC mode (CVE-2008-5161)"),
    ("rijndael-cbc@lysator.liu.se", STRONG, 256, "OpenSSH (historic)", "AES-256 CBC, old name"),
    ("aes128-ctr", STRONG, 128, "RFC 4344 §4", "AES-128 CTR"),
    ("aes192-ctr", STRONG, 192, "RFC 4344 §4", "AES-192 CTR"),
    ("aes256-ctr", STRONG, 256, "RFC 4344 §4", "AES-256 CTR"),
    ("aes128-gcm@openssh.com", STRONG, 128, "OpenSSH PROTOCOL §1.6; RFC 5647", "AES-128 GCM"),
    ("aes256-gcm@openssh.com", STRONG, 256, "OpenSSH PROTOCOL §1.6; RFC 5647", "AES-256 GCM"),
    ("AEAD_AES_128_GCM", STRONG, 128, "RFC 5647 §6.1", "AES-128 GCM"),
    ("AEAD_AES_256_GCM", STRONG, 256, "RFC 5647 §6.2", "AES-256 GCM"),
    ("chacha20-poly1305@openssh.com", STRONG, 256, "OpenSSH PROTOCOL.chacha20poly1305", "ChaCha20-Poly1305"),
])

MAC = _t("mac", [
    ("none", WEAK, 0, "RFC 4253 §6.4", "no integrity"),
    ("hmac-md5", WEAK, 18, "RFC 4253 §6.4", "HMAC-MD5"),
    ("hmac-md5-96", WEAK, 18, "RFC 4253 §6.4", "HMAC-MD5 truncated to 96 bits"),
    ("hmac-md5-etm@openssh.com", WEAK, 18, "OpenSSH PROTOCOL §1.7", "HMAC-MD5"),
    ("hmac-md5-96-etm@openssh.com", WEAK, 18, "OpenSSH PROTOCOL §1.7", "HMAC-MD5"),
    ("hmac-sha1", STRONG, 128, "RFC 4253 §6.4", "HMAC-SHA1 (no known HMAC weakness; SHA-1 deprecated)"),
    ("hmac-sha1-96", STRONG, 96, "RFC 4253 §6.4", "HMAC-SHA1 truncated to 96 bits"),
    ("hmac-sha1-etm@openssh.com", STRONG, 128, "OpenSSH PROTOCOL §1.7", "HMAC-SHA1, encrypt-then-MAC"),
    ("hmac-sha1-96-etm@openssh.com", STRONG, 96, "OpenSSH PROTOCOL §1.7", "HMAC-SHA1 truncated to 96 bits"),
    ("hmac-ripemd160", STRONG, 128, "OpenSSH (historic)", "HMAC-RIPEMD-160"),
    ("hmac-sha2-256", STRONG, 128, "RFC 6668 §2", "HMAC-SHA2-256"),
    ("hmac-sha2-512", STRONG, 256, "RFC 6668 §2", "HMAC-SHA2-512"),
    ("hmac-sha2-256-etm@openssh.com", STRONG, 128, "OpenSSH PROTOCOL §1.7; RFC 6668", "HMAC-SHA2-256, encrypt-then-MAC"),
    ("hmac-sha2-512-etm@openssh.com", STRONG, 256, "OpenSSH PROTOCOL §1.7; RFC 6668", "HMAC-SHA2-512, encrypt-then-MAC"),
    ("umac-64@openssh.com", STRONG, 64, "OpenSSH PROTOCOL; RFC 4418", "UMAC with a 64-bit tag"),
    ("umac-64-etm@openssh.com", STRONG, 64, "OpenSSH PROTOCOL; RFC 4418", "UMAC with a 64-bit tag"),
    ("umac-128@openssh.com", STRONG, 128, "OpenSSH PROTOCOL; RFC 4418", "UMAC-128"),
    ("umac-128-etm@openssh.com", STRONG, 128, "OpenSSH PROTOCOL; RFC 4418", "UMAC-128, encrypt-then-MAC"),
])

COMPRESSION = _t("compression", [
    ("none", STRONG, None, "RFC 4253 §6.2", "no compression"),
    ("zlib", STRONG, None, "RFC 4253 §6.2", "zlib"),
    ("zlib@openssh.com", STRONG, None, "OpenSSH PROTOCOL §1.8", "zlib after authentication"),
])

TABLES = {"kex": KEX, "hostkey": HOSTKEY, "cipher": CIPHER, "mac": MAC, "compression": COMPRESSION}

#: AEAD ciphers: the MAC name negotiated alongside is ignored (OpenSSH PROTOCOL §1.6; RFC 5647 §5.1).
AEAD = frozenset({"aes128-gcm@openssh.com", "aes256-gcm@openssh.com", "chacha20-poly1305@openssh.com", "AEAD_AES_128_GCM", "AEAD_AES_256_GCM"})

STRICT_KEX_CLIENT = "kex-strict-c-v00@openssh.com"
STRICT_KEX_SERVER = "kex-strict-s-v00@openssh.com"

#: Host-key algorithm -> public-key blob type (RFC 8332: rsa-sha2-* use ssh-rsa keys).
KEY_TYPE = {"rsa-sha2-256": "ssh-rsa", "rsa-sha2-512": "ssh-rsa", "rsa-sha2-256-cert-v01@openssh.com": "ssh-rsa-cert-v01@openssh.com", "rsa-sha2-512-cert-v01@openssh.com": "ssh-rsa-cert-v01@openssh.com"}


def classify(kind: str, name: str) -> Algorithm | None:
    """The registry entry of ``name`` in table ``kind``; an unknown SM-looking name is GM
    (confidence L, see the module docstring); any other unknown name is None."""
    entry = TABLES[kind].get(name)
    if entry is not None:
        return entry
    low = name.lower()
    if any(tag in low for tag in ("sm2", "sm3", "sm4")):
        return Algorithm(name, kind, GM, 128, "vendor name (no IANA/GM/T SSH name for SM algorithms); confidence L", "SM algorithm by name")
    return None
