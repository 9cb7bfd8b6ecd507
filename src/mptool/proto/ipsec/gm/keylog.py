"""The GM/T 0022 key log (``--keylog FILE``), in the spirit of SSLKEYLOGFILE: one line per secret.

    GM_IKE <CKY-I hex> <CKY-R hex> <Sk_i hex> <Sk_r hex>
    GM_ESP <SPI hex> <transform id> <encryption key hex> <authentication key hex or ->

From Sk_i and Sk_r a reader opens the nonces of messages 3/4 and derives every phase-1 key; the
ESP lines give the SA keys directly. The file holds live secrets of a lab: it is written only
when asked for, through :mod:`mptool.core.outputs`, and its content never enters evidence.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from mptool.core.errors import InputError
from mptool.proto.ipsec.gm.session import IkeSA

HEADER = "# mptool GM/T 0022 key log (lab secrets; per mptool's reading of GM/T 0022)\n"


def lines_for(ike: IkeSA) -> list[str]:
    """The key-log lines of one IKE SA (nothing before the envelope keys exist)."""
    out = []
    if ike.sk_i and ike.sk_r:
        out.append(f"GM_IKE {ike.icookie.hex()} {ike.rcookie.hex()} {ike.sk_i.hex()} {ike.sk_r.hex()}")
    for sa in sorted((sa for sa in (ike.esp_out, ike.esp_in) if sa is not None), key=lambda sa: sa.spi):
        if sa is not None:
            out.append(f"GM_ESP {sa.spi.hex()} {sa.transform} {sa.enc_key.hex()} {sa.auth_key.hex() or '-'}")
    return out


def render(ikes: list[IkeSA]) -> bytes:
    """The whole key log."""
    return (HEADER + "".join(line + "\n" for ike in ikes for line in lines_for(ike))).encode()


@dataclass
class KeyLog:
    """What a key log holds: envelope keys by cookie pair, ESP keys by SPI."""

    ike: dict[tuple[bytes, bytes], tuple[bytes, bytes]] = field(default_factory=dict)
    esp: dict[bytes, tuple[int, bytes, bytes]] = field(default_factory=dict)


def parse(text: str, source: str) -> KeyLog:
    """Read a key log; a line that is neither a comment nor one of the two forms is an input error."""
    log = KeyLog()
    for number, line in enumerate(text.splitlines(), 1):
        words = line.split()
        if not words or words[0].startswith("#"):
            continue
        try:
            if words[0] == "GM_IKE" and len(words) == 5:
                icky, rcky, sk_i, sk_r = (bytes.fromhex(w) for w in words[1:])
                if len(icky) != 8 or len(rcky) != 8 or len(sk_i) != 16 or len(sk_r) != 16:
                    raise ValueError("cookie/key length")
                log.ike[(icky, rcky)] = (sk_i, sk_r)
                continue
            if words[0] == "GM_ESP" and len(words) == 5:
                spi = bytes.fromhex(words[1])
                if len(spi) != 4:
                    raise ValueError("SPI length")
                log.esp[spi] = (int(words[2]), bytes.fromhex(words[3]), b"" if words[4] == "-" else bytes.fromhex(words[4]))
                continue
        except ValueError:
            pass
        raise InputError(source, f"line {number}: not a GM_IKE or GM_ESP key-log line")
    return log
