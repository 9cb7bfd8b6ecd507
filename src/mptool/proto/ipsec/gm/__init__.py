"""GM/T 0022 IPSec VPN endpoints: the IKE message codec, key derivation, ESP and both roles.

- :mod:`.codec` — ISAKMP version 0x11 messages and the GM/T 0022 payloads (SA, CERT 4/5,
  symmetric-key payload 128, SIG, HASH, NONCE, ID, notify);
- :mod:`.crypto` — PRF (HMAC-SM3), SKEYID derivation, phase-1/quick-mode IVs, HASH(1..3), KEYMAT;
- :mod:`.esp` — ESP (RFC 4303) with SM4-CBC + HMAC-SM3 or SM4-GCM, replay window;
- :mod:`.responder` / :mod:`.initiator` — the two state machines;
- :mod:`.keylog` — the key log written by ``--keylog`` (read by ``proto analyze --ike-keylog``).

Where GM/T 0022-2023 is not known to us, the choice is mptool's and is listed in
:data:`.codec.CHOICES` (docs/proto-active.md), and evidence says so ("per mptool's reading of GM/T 0022").
"""
