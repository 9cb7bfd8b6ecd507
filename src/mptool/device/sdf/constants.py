"""Facts of the GM/T 0018 SDF C ABI: error codes, algorithm identifiers, the function set.

Copied into mptool (code never reads the research notes at run time) from:

- error codes: GM/T 0018-2012 appendix A (``SDR_BASE`` = 0x01000000, codes BASE+1 … BASE+0x1E);
  ``SDR_USERIDERR`` (BASE+0x1F) is the GM/T 0018-2023 addition (project notes sdf-gmt0018.md, R15);
- algorithm identifiers: GM/T 0006-2012 (SGD_*); ``SGD_SM4_GCM`` is the value mptool's soft device
  uses and is **not** checked against GM/T 0006-2023 (give ``--alg-id`` style overrides a vendor documents);
- the function set and groups: GM/T 0018-2012 clause 6 (6.2 device management, 6.3 key management,
  6.4 asymmetric, 6.5 symmetric, 6.6 hash, 6.7 files) and the GM/T 0018-2023 additions (HMAC,
  AuthEnc/AuthDec, multi-part functions, 6.8 verification/debug functions). Prototypes follow the
  public C headers of SDF clients (GmSSL, Tongsuo) that implement the standard.
"""

from __future__ import annotations

SDR_OK = 0x0
SDR_BASE = 0x01000000

#: code -> (name, meaning)
ERROR_CODES: dict[int, tuple[str, str]] = {
    0x0: ("SDR_OK", "操作成功 success"),
    SDR_BASE + 0x01: ("SDR_UNKNOWERR", "未知错误 unknown error"),
    SDR_BASE + 0x02: ("SDR_NOTSUPPORT", "不支持的接口调用 function not supported"),
    SDR_BASE + 0x03: ("SDR_COMMFAIL", "与设备通信失败 communication with the device failed"),
    SDR_BASE + 0x04: ("SDR_HARDFAIL", "运算模块无响应 crypto module not responding"),
    SDR_BASE + 0x05: ("SDR_OPENDEVICE", "打开设备失败 opening the device failed"),
    SDR_BASE + 0x06: ("SDR_OPENSESSION", "创建会话失败 opening a session failed"),
    SDR_BASE + 0x07: ("SDR_PARDENY", "无私钥使用权限 no permission to use the private key"),
    SDR_BASE + 0x08: ("SDR_KEYNOTEXIST", "不存在的密钥调用 key does not exist"),
    SDR_BASE + 0x09: ("SDR_ALGNOTSUPPORT", "不支持的算法调用 algorithm not supported"),
    SDR_BASE + 0x0A: ("SDR_ALGMODNOTSUPPORT", "不支持的算法模式调用 algorithm mode not supported"),
    SDR_BASE + 0x0B: ("SDR_PKOPERR", "公钥运算失败 public-key operation failed"),
    SDR_BASE + 0x0C: ("SDR_SKOPERR", "私钥运算失败 private-key operation failed"),
    SDR_BASE + 0x0D: ("SDR_SIGNERR", "签名运算失败 signing failed"),
    SDR_BASE + 0x0E: ("SDR_VERIFYERR", "验证签名失败 signature verification failed"),
    SDR_BASE + 0x0F: ("SDR_SYMOPERR", "对称算法运算失败 symmetric operation failed"),
    SDR_BASE + 0x10: ("SDR_STEPERR", "多步运算步骤错误 wrong step in a multi-part operation"),
    SDR_BASE + 0x11: ("SDR_FILESIZEERR", "文件长度超出限制 file size exceeds the limit"),
    SDR_BASE + 0x12: ("SDR_FILENOEXIST", "指定的文件不存在 file does not exist"),
    SDR_BASE + 0x13: ("SDR_FILEOFSERR", "文件起始位置错误 wrong file offset"),
    SDR_BASE + 0x14: ("SDR_KEYTYPEERR", "密钥类型错误 wrong key type"),
    SDR_BASE + 0x15: ("SDR_KEYERR", "密钥错误 key error"),
    SDR_BASE + 0x16: ("SDR_ENCDATAERR", "ECC加密数据错误 ECC ciphertext error"),
    SDR_BASE + 0x17: ("SDR_RANDERR", "随机数产生失败 random number generation failed"),
    SDR_BASE + 0x18: ("SDR_PRKRERR", "私钥使用权限获取失败 obtaining the private-key access right failed"),
    SDR_BASE + 0x19: ("SDR_MACERR", "MAC运算失败 MAC operation failed"),
    SDR_BASE + 0x1A: ("SDR_FILEEXSITS", "指定文件已存在 file already exists"),
    SDR_BASE + 0x1B: ("SDR_FILEWERR", "文件写入失败 writing the file failed"),
    SDR_BASE + 0x1C: ("SDR_NOBUFFER", "存储空间不足 not enough storage"),
    SDR_BASE + 0x1D: ("SDR_INARGERR", "输入参数错误 bad input argument"),
    SDR_BASE + 0x1E: ("SDR_OUTARGERR", "输出参数错误 bad output argument"),
    SDR_BASE + 0x1F: ("SDR_USERIDERR", "用户标识错误 bad user ID (GM/T 0018-2023)"),
}
CODE_BY_NAME: dict[str, int] = {name: code for code, (name, _meaning) in ERROR_CODES.items()}
SDR_KEYNOTEXIST = CODE_BY_NAME["SDR_KEYNOTEXIST"]
SDR_PRKRERR = CODE_BY_NAME["SDR_PRKRERR"]
SDR_PARDENY = CODE_BY_NAME["SDR_PARDENY"]
SDR_VERIFYERR = CODE_BY_NAME["SDR_VERIFYERR"]
SDR_NOTSUPPORT = CODE_BY_NAME["SDR_NOTSUPPORT"]


def error_name(code: int) -> str:
    """``SDR_NAME (0x0100000N)`` for a known code, ``0x…`` (vendor-specific) otherwise."""
    code &= 0xFFFFFFFF
    known = ERROR_CODES.get(code)
    return f"{known[0]} (0x{code:08X})" if known else f"0x{code:08X} (not a GM/T 0018 code: vendor-specific)"


# ---- algorithm identifiers (GM/T 0006-2012) ----
SGD_SM1_ECB = 0x00000101
SGD_SM4_ECB = 0x00000401
SGD_SM4_CBC = 0x00000402
SGD_SM4_CFB = 0x00000404
SGD_SM4_OFB = 0x00000408
SGD_SM4_MAC = 0x00000410
SGD_SM4_GCM = 0x00000420  # soft device's value; not verified against GM/T 0006-2023
SGD_SM2 = 0x00020100
SGD_SM2_1 = 0x00020200  # signature
SGD_SM2_2 = 0x00020400  # key exchange
SGD_SM2_3 = 0x00020800  # encryption
SGD_SM3 = 0x00000001
SGD_SHA1 = 0x00000002
SGD_SHA256 = 0x00000004

#: capability bits of DEVICEINFO, by the field that carries them
ASYM_ABILITY: dict[str, int] = {"SM2": SGD_SM2, "SM2-sign": SGD_SM2_1, "SM2-exchange": SGD_SM2_2, "SM2-encrypt": SGD_SM2_3, "RSA": 0x00010000}
SYM_ABILITY: dict[str, int] = {"SM1": 0x00000100, "SSF33": 0x00000200, "SM4": 0x00000400, "ZUC": 0x00000800}
HASH_ABILITY: dict[str, int] = {"SM3": SGD_SM3, "SHA1": SGD_SHA1, "SHA256": SGD_SHA256}

#: function -> (group clause, edition). "ext" = a vendor extension outside the standard.
FUNCTIONS: dict[str, tuple[str, str]] = {
    "SDF_OpenDevice": ("6.2 device management", "2012"),
    "SDF_CloseDevice": ("6.2 device management", "2012"),
    "SDF_OpenSession": ("6.2 device management", "2012"),
    "SDF_CloseSession": ("6.2 device management", "2012"),
    "SDF_GetDeviceInfo": ("6.2 device management", "2012"),
    "SDF_GenerateRandom": ("6.2 device management", "2012"),
    "SDF_GetPrivateKeyAccessRight": ("6.2 device management", "2012"),
    "SDF_ReleasePrivateKeyAccessRight": ("6.2 device management", "2012"),
    "SDF_ExportSignPublicKey_ECC": ("6.3 key management", "2012"),
    "SDF_ExportEncPublicKey_ECC": ("6.3 key management", "2012"),
    "SDF_GenerateKeyPair_ECC": ("6.3 key management (2023: 6.8 debug)", "2012"),
    "SDF_GenerateKeyWithIPK_ECC": ("6.3 key management", "2012"),
    "SDF_GenerateKeyWithEPK_ECC": ("6.3 key management", "2012"),
    "SDF_ImportKeyWithISK_ECC": ("6.3 key management", "2012"),
    "SDF_GenerateAgreementDataWithECC": ("6.3 key management", "2012"),
    "SDF_GenerateKeyWithECC": ("6.3 key management", "2012"),
    "SDF_GenerateAgreementDataAndKeyWithECC": ("6.3 key management", "2012"),
    "SDF_ExchangeDigitEnvelopeBaseOnECC": ("6.3 key management", "2012"),
    "SDF_GenerateKeyWithKEK": ("6.3 key management", "2012"),
    "SDF_ImportKeyWithKEK": ("6.3 key management", "2012"),
    "SDF_DestroyKey": ("6.3 key management", "2012"),
    "SDF_ExternalSign_ECC": ("6.4 asymmetric (2023: 6.8 debug)", "2012"),
    "SDF_ExternalVerify_ECC": ("6.4 asymmetric", "2012"),
    "SDF_InternalSign_ECC": ("6.4 asymmetric", "2012"),
    "SDF_InternalVerify_ECC": ("6.4 asymmetric", "2012"),
    "SDF_ExternalEncrypt_ECC": ("6.4 asymmetric", "2012"),
    "SDF_ExternalDecrypt_ECC": ("6.4 asymmetric (2023: 6.8 debug)", "2012"),
    "SDF_InternalEncrypt_ECC": ("vendor extension (GmSSL-style)", "ext"),
    "SDF_InternalDecrypt_ECC": ("vendor extension (GmSSL-style)", "ext"),
    "SDF_Encrypt": ("6.5 symmetric", "2012"),
    "SDF_Decrypt": ("6.5 symmetric", "2012"),
    "SDF_CalculateMAC": ("6.5 symmetric", "2012"),
    "SDF_AuthEnc": ("6.5 symmetric", "2023"),
    "SDF_AuthDec": ("6.5 symmetric", "2023"),
    "SDF_HashInit": ("6.6 hash", "2012"),
    "SDF_HashUpdate": ("6.6 hash", "2012"),
    "SDF_HashFinal": ("6.6 hash", "2012"),
    "SDF_HMACInit": ("6.6 hash", "2023"),
    "SDF_HMACUpdate": ("6.6 hash", "2023"),
    "SDF_HMACFinal": ("6.6 hash", "2023"),
    "SDF_CreateFile": ("6.7 files", "2012"),
    "SDF_ReadFile": ("6.7 files", "2012"),
    "SDF_WriteFile": ("6.7 files", "2012"),
    "SDF_DeleteFile": ("6.7 files", "2012"),
}
