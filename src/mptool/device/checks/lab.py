"""The result of ``mptool device lab``: the lab application built on an SDF device (not a device test)."""

from __future__ import annotations

from mptool.core.registry import register

CREATE = register(
    "device.lab.create",
    "Lab application: records stored SM4-encrypted and MACed through the SDF device",
    "GM/T 0018-2012 6.3 (SDF_GenerateKeyWithIPK_ECC, SDF_ImportKeyWithISK_ECC, SDF_ExchangeDigitEnvelopeBaseOnECC), "
    "6.5 (SDF_Encrypt/SDF_Decrypt SGD_SM4_CBC), GM/T 0018-2023 6.6 (SDF_HMACInit/Update/Final); GB/T 39786-2021 6.4 d)/f) (rehearsal)",
    """Build (or, with an existing lab, only export the keys of) mptool's lab application: a SQLite
    table of synthetic customer records whose ID-number and phone columns are SM4-CBC encrypted by
    the device (session key generated inside the device and stored only wrapped under the encryption
    key pair of --key-index; IV from SDF_GenerateRandom, prefixed; PKCS#7) and whose row_mac column is
    HMAC-SM3 computed by the device (or an SM2 signature by the device's signing key) over
    id|name|id_card_enc|phone_enc. The application then reads its own records back through the
    device (re-import of the stored key blobs, decryption, MAC). The result records the layout, the
    key index, how the evaluator obtains the keys and the commands that rehearse `mptool data
    sample`; never a plaintext value or a key. Pass when the read-back works, fail otherwise.""",
    findings={
        "device.lab.create.readback_failed": "the application cannot read its own records back through the device (re-imported key does not decrypt, or the MAC/signature differs)",
        "device.lab.create.keys_exported": "LAB ONLY: the session keys were exported in clear (digital envelope re-wrapped to an SM2 key mptool generated, then decrypted) to the --export-keys destination, for `data sample --key/--mac-key`",
        "device.lab.create.plaintext_column": "the name column is stored in clear on purpose, so that `data sample -c name` shows the plaintext verdict",
    },
)
