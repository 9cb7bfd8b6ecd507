"""Results for IKE exchanges (IKEv1 main/aggressive/quick mode, IKEv2) and ESP channels."""

from __future__ import annotations

from collections import Counter
from typing import Any

from mptool.core.model import CheckResult, Finding, Severity, Status
from mptool.core.registry import check
from mptool.proto.registry import ipsec as ids
from mptool.proto.capture.engine import EspChannel, IkeExchange
from mptool.proto.ipsec.ike import IkeMessage
from mptool.proto.judge.reasons import Reason
from mptool.proto.judge.verdict import GM, STATUS, STRONG, UNDETERMINED, WEAK, Judgement, aead_verdict, cipher_verdict, mac_verdict, verdict_findings

WEAK_GROUPS = {1, 2, 5, 22}
GM_ENCRYPTION = {127, 128, 129}
#: Significance level of the ESP randomness tests. Stricter than GM/T 0005's 0.01 because a
#: single sample is judged (with two tests a false "not random" then occurs in ~0.2 % of channels).
ALPHA = 0.001
MIN_RANDOMNESS_BYTES = 128


def _ep(endpoint: tuple[str, int]) -> str:
    host, port = endpoint
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def _gm_envelope(proposals: list[dict[str, Any]]) -> None:
    """Name auth method 10 as the GM/T 0022 digital envelope where the transform is GM-style."""
    for proposal in proposals:
        for transform in proposal["transforms"]:
            attrs = {a["type"]: a for a in transform.get("attributes", [])}
            auth = attrs.get(3)
            gm_style = 20 in attrs or (attrs.get(1, {}).get("value") in GM_ENCRYPTION)
            if auth and auth["value"] == ids.GM_DIGITAL_ENVELOPE and gm_style and proposal["protocol"] == "ISAKMP":
                auth["value_name"] = ids.GM_DIGITAL_ENVELOPE_NAME
                auth["rfc_meaning"] = ids.IKEV1_AUTH_METHODS[ids.GM_DIGITAL_ENVELOPE]


def _gm_style(transform: dict[str, Any]) -> bool:
    """A phase-1 transform with GM/T 0022 values (SM encryption, SM3 or attribute 20)."""
    attrs = {a["type"]: a["value"] for a in transform.get("attributes", [])}
    return attrs.get(1) in GM_ENCRYPTION or attrs.get(2) == 20 or 20 in attrs


def _first(messages: list[IkeMessage], sender: tuple[str, int] | None, responder: bool) -> IkeMessage | None:
    for msg in messages:
        if msg.proposals and ((msg.src != sender) if responder else (msg.src == sender)):
            return msg
    return None


def describe_ike(exchange: IkeExchange) -> dict[str, Any]:
    """Measurements of one IKE SA."""
    msgs = exchange.messages
    first = msgs[0]
    initiator, responder = first.src, first.dst
    order: dict[str, list[int]] = {}
    for msg in msgs:
        counts = order.setdefault(msg.exchange_name, [0, 0])
        counts[0] += 1
        counts[1] += int(msg.encrypted)
    offer = _first(msgs, initiator, responder=False)
    answer = _first(msgs, initiator, responder=True)
    proposals = offer.proposals if offer else []
    selected = answer.proposals if answer else []
    _gm_envelope(proposals)
    _gm_envelope(selected)
    notifies = [
        {**n, "sender": "initiator" if m.src == initiator else "responder", "frame": m.frame, "exchange": m.exchange_name}
        for m in msgs
        for n in m.notifies
    ]
    v2 = first.major == 2
    m: dict[str, Any] = {
        "protocol": "IKEv2" if v2 else "IKEv1",
        "version": f"{first.major}.{first.minor}",
        "initiator": _ep(initiator),
        "responder": _ep(responder),
        "initiator_spi": first.ispi.hex(),
        "frames": [msgs[0].frame, msgs[-1].frame],
        "exchanges": [{"exchange": name, "messages": c[0], "encrypted": c[1]} for name, c in order.items()],
        "nat_traversal": exchange.nat_t,
        "proposals": proposals,
        "selected": selected,
        "notifies": notifies,
        "vendor_ids": [v for msg in msgs for v in msg.vendor_ids],
        "certificates": _certificates(msgs, initiator),
        "problems": [f"frame {msg.frame}: {msg.problem}" for msg in msgs if msg.problem],
    }
    if (first.major, first.minor) == (1, 1):
        m["profile"] = "GM/T 0022 (ISAKMP version 1.1): authentication 10 is the digital envelope, payload 128 the symmetric key, CERT 4/5 signing/encryption"
        m["symmetric_key_payloads"] = [
            {"frame": msg.frame, "sender": "initiator" if msg.src == initiator else "responder", "size": size} for msg in msgs for size in msg.symmetric_keys
        ]
    if not v2:
        kinds = [msg.exchange for msg in msgs]
        m["mode"] = "main" if 2 in kinds else "aggressive" if 4 in kinds else None
        m["quick_mode"] = 32 in kinds
    ke = [msg.ke_group for msg in msgs if msg.ke_group is not None]
    if ke:
        m["ke_groups"] = [ids.name_or_unknown(ids.DH_GROUPS, g) for g in ke]
    m["established"] = _established(msgs, v2, initiator)
    return m


X509_SIGNATURE = 4  #: CERT encoding "X.509 Certificate - Signature" (RFC 2408 §3.9, RFC 7296 §3.6)


def _certificates(msgs: list[IkeMessage], initiator: tuple[str, int]) -> list[dict[str, Any]]:
    """The X.509 certificates sent in clear (GM/T 0022 main mode sends sign and enc certs in message 2)."""
    from mptool.proto.tls.certinfo import summarize

    out = []
    for msg in msgs:
        sender = "initiator" if msg.src == initiator else "responder"
        gm = (msg.major, msg.minor) == (1, 1)
        for encoding, data in msg.certificates:
            if encoding == X509_SIGNATURE or (gm and encoding in ids.GM_CERT_ENCODINGS):
                record = summarize(data, sender).record
                if gm:
                    record = {**record, "encoding": encoding, "gm_certificate": ids.GM_CERT_ENCODINGS[encoding]}
            else:
                record = {"role": sender, "encoding": encoding, "size": len(data)}
            out.append({**record, "frame": msg.frame})
    return out


def ike_certificate_results(exchange: IkeExchange, index: int, capture: str, trust: Any, at: Any, linted: set[bytes]) -> list[CheckResult]:
    """The cert domain's checks of the X.509 certificates an IKE SA sent in clear, per sender.

    GM/T 0022 (version 1.1): the signing (encoding 4) and encryption (5) certificates are each
    checked as a leaf (chain to the trust anchors) and as a pair (``cert.pair.tlcp``); standard
    IKEv1/IKEv2 signature certificates (4) are checked as one list, leaf first. Each distinct
    certificate is linted once per capture.
    """
    from mptool.cert.api import check_certificates, check_tlcp_pair
    from mptool.core.errors import InputError
    from mptool.proto.judge.tls import certificates_unparsable

    msgs = exchange.messages
    if not msgs:
        return []
    initiator = msgs[0].src
    out: list[CheckResult] = []
    for role in ("responder", "initiator"):
        sent = [(enc, der, (m.major, m.minor) == (1, 1)) for m in msgs if (m.src == initiator) == (role == "initiator") for enc, der in m.certificates]
        gm = {enc: der for enc, der, is_gm in sent if is_gm and enc in ids.GM_CERT_ENCODINGS}
        lists = [[gm[4]], [gm[5]]] if len(gm) == 2 else [[der for enc, der, _ in sent if enc == X509_SIGNATURE]]
        subject = f"{capture} #{index} IKE {role} certificates"
        try:
            for number, ders in enumerate(l for l in lists if l):
                lint = not set(ders) <= linted
                linted.update(ders)
                label = subject + ((" (signing)", " (encryption)")[number] if len(gm) == 2 else "")
                out += check_certificates(ders, at=at, purpose="any", trust=trust, subject=label, lint=lint)
            if len(gm) == 2:
                out += check_tlcp_pair(gm[4], gm[5], at=at, subject=f"{subject} (pair)")
        except InputError as exc:
            out.append(certificates_unparsable(subject, exc.problem))
        except Exception as exc:  # noqa: BLE001 - a failure inside the cert checks is recorded as an error result
            out.append(certificates_unparsable.spec.error_result(subject, exc))  # type: ignore[attr-defined]
    return out


def _established(msgs: list[IkeMessage], v2: bool, initiator: tuple[str, int]) -> bool:
    errors = [n for msg in msgs for n in msg.notifies if n["type"] < 16384]
    if errors:
        return False
    if v2:
        return any(msg.exchange == 35 and msg.src != initiator for msg in msgs)
    main = sum(1 for msg in msgs if msg.exchange == 2)
    aggressive = sum(1 for msg in msgs if msg.exchange == 4)
    return main >= 6 or aggressive >= 3


def judge_ike(m: dict[str, Any], esp: dict[str, Any] | None = None) -> Judgement:
    """Verdict of an IKE SA from the selected (or, failing that, offered) transforms."""
    j = Judgement()
    if not m["established"]:
        errors = sorted({n["name"] for n in m["notifies"] if n["type"] < 16384})
        j.add(None, UNDETERMINED, Reason("ike.not_established_notify", errors=", ".join(errors)) if errors else Reason("ike.not_established"))
        if any(_gm_style(t) for p in m["proposals"] for t in p["transforms"]):
            j.add(None, UNDETERMINED, Reason("ike.gm_offer"))
        return j  # an offer nobody accepted says nothing about the channel
    proposals = m["selected"] or m["proposals"]
    if not proposals or not proposals[0]["transforms"]:
        j.add(None, UNDETERMINED, Reason("ike.no_sa"))
        return j
    return judge_selected(j, m["protocol"], proposals[0], esp)


def judge_selected(j: Judgement, protocol: str, proposal: dict[str, Any], esp: dict[str, Any] | None = None) -> Judgement:
    """The reasons of an accepted IKE SA proposal (analyzer form: ``transforms`` with attributes).

    The one judgement of an IKE choice: ``proto analyze`` applies it to the SA a responder
    selected in a capture, ``proto probe --ike`` to each proposal a responder accepts.
    """
    if protocol == "IKEv1":
        _judge_v1(proposal["transforms"][0], j)
    else:
        _judge_v2(proposal["transforms"], j)
    if protocol == "IKEv2":
        j.add("NET-AUTH", UNDETERMINED, Reason("ike.v2_auth_hidden"))
    if esp is not None:  # decrypted with a key log
        j.add("NET-CONF", *cipher_verdict(f"ESP_{esp['name']}"))
        j.add("NET-INTEG", *mac_verdict(esp["integrity"].replace("GCM ICV", "GCM")))
        return j
    where = "IKE_AUTH/CREATE_CHILD_SA" if protocol == "IKEv2" else "Quick Mode"
    j.add("NET-CONF", UNDETERMINED, Reason("ike.esp_hidden", exchange=where))
    return j


def gm_envelope(proposals: list[dict[str, Any]]) -> None:
    """Name auth method 10 as the GM/T 0022 digital envelope where the transform is GM-style."""
    _gm_envelope(proposals)


def _judge_v1(transform: dict[str, Any], j: Judgement) -> None:
    attrs = {a["type"]: a for a in transform["attributes"]}
    enc = attrs.get(1)
    if enc:
        j.add("NET-CONF", *cipher_verdict(str(enc.get("value_name", "unknown")).split(" ")[0]))
    hsh = attrs.get(2)
    if hsh:
        j.add("NET-INTEG", *mac_verdict(str(hsh.get("value_name", "unknown"))))
        if hsh.get("value") == 2:
            j.add("NET-INTEG", STRONG, Reason("ike.sha1_prf"))
    auth = attrs.get(3)
    if auth:
        name = auth.get("value_name", "")
        asym = attrs.get(20, {}).get("value")
        if name == ids.GM_DIGITAL_ENVELOPE_NAME and asym == 2:
            j.add("NET-AUTH", GM, Reason("ike.envelope_sm2"))
        elif name == ids.GM_DIGITAL_ENVELOPE_NAME:
            j.add("NET-AUTH", STRONG, Reason("ike.envelope_not_sm2"))
        elif auth.get("value") == 1:
            j.add("NET-AUTH", STRONG, Reason("ike.psk"))
        else:
            j.add("NET-AUTH", STRONG, Reason("ike.auth_not_sm2", method=name))
    group = attrs.get(4)
    if group and group["value"] in WEAK_GROUPS:
        j.add("NET-AUTH", WEAK, Reason("ike.small_group", group=group.get("value_name")))


def _judge_v2(transforms: list[dict[str, Any]], j: Judgement) -> None:
    for t in transforms:
        name = t["name"]
        if t["type"] == "ENCR":
            j.add("NET-CONF", *cipher_verdict(name.removeprefix("ENCR_")))
            if "GCM" in name or "CCM" in name or "POLY1305" in name:
                j.add("NET-INTEG", *aead_verdict(name))
        elif t["type"] in ("INTEG", "PRF") and name != "NONE":
            j.add("NET-INTEG", *mac_verdict(name.removeprefix("AUTH_").removeprefix("PRF_")))
        elif t["type"] == "DH" and t["id"] in WEAK_GROUPS:
            j.add("NET-AUTH", WEAK, Reason("ike.small_group", group=name))


@check(
    "proto.ike.exchange",
    "IKE/IPsec exchange: proposals, selected transforms, notifies, verdict",
    "GB/T 39786-2021 8.2 a)-c); GM/T 0022-2014 (IPSec VPN); RFC 2408; RFC 2409; RFC 7296",
    {
        **verdict_findings("proto.ike"),
        "proto.ike.gm_hash_mismatch": "with the key log, a decrypted HASH payload (HASH_I/HASH_R, quick-mode HASH(1..3)) does not verify",
        "proto.ike.gm_keylog_problem": "the key log names this IKE SA but the exchange could not be decrypted with it",
    },
)
def ike_result(exchange: IkeExchange, capture: str, index: int, keylog: Any = None) -> CheckResult:
    """One IKE SA (all messages with the same initiator SPI) and its verdict.

    Records the exchanges (Main, Aggressive, Quick Mode; IKE_SA_INIT, IKE_AUTH, ...), the
    initiator's proposals and the responder's selected transforms with their standard names
    (GM/T 0022 values: SM1 128, SM4 129/127, SM3 20, SM2 via attribute 20, authentication 10
    as the digital envelope), notifies (e.g. no_proposal_chosen) and vendor IDs. Verdict as
    for TLS channels; an exchange that established no SA is undetermined.
    """
    spec = ike_result.spec  # type: ignore[attr-defined]
    m = describe_ike(exchange)
    decrypted = _replay_ike(exchange, keylog, m)
    j = judge_ike(m, decrypted.get("esp") if decrypted else None)
    m.update(j.measurements())
    first = ("protocol", "version", "verdict", "established", "notifies")
    m = {**{k: m[k] for k in first}, **{k: v for k, v in m.items() if k not in first}}
    verdict = m["verdict"]
    findings = j.findings("proto.ike", capture)
    if decrypted:
        findings += _replay_findings(decrypted, capture)
    subject = f"{capture} #{index} {m['protocol']} {m['initiator']} -> {m['responder']}"
    return spec.result(STATUS[verdict], subject=subject, measurements=m, findings=findings)


def _replay_ike(exchange: IkeExchange, keylog: Any, m: dict[str, Any]) -> dict[str, Any] | None:
    """With a GM/T 0022 key log: the decrypted exchange (``m["decrypted"]``), else None."""
    if keylog is None or not exchange.messages or exchange.messages[0].major != 1:
        return None
    from mptool.proto.ipsec.gm.replay import replay_ike

    initiator = exchange.messages[0].src
    decrypted = replay_ike([(msg.frame, msg.src == initiator, msg.raw) for msg in exchange.messages], keylog)
    if decrypted is not None:
        m["decrypted"] = decrypted
    return decrypted


def _replay_findings(decrypted: dict[str, Any], capture: str) -> list[Finding]:
    out = [Finding(code="proto.ike.gm_keylog_problem", severity=Severity.WARN, message=problem, location=capture) for problem in decrypted["problems"]]
    bad = sorted(name for name, ok in decrypted["hashes"].items() if not ok)
    if bad:
        out.append(Finding(code="proto.ike.gm_hash_mismatch", severity=Severity.ERROR, message=f"{', '.join(bad)} do not verify with the key log's keys", location=capture))
    return out


def randomness(sample: bytes) -> dict[str, Any]:
    """Monobit and poker tests (GM/T 0005-2021 §5.1, §5.3) of ESP payload bytes, α = 0.001."""
    import numpy as np  # only here: a capture without ESP never imports numpy (issue 20)

    from mptool.rng.api import BitSequence, monobit, poker

    out: dict[str, Any] = {"bytes": len(sample), "alpha": ALPHA}
    if len(sample) < MIN_RANDOMNESS_BYTES:
        out["outcome"] = "insufficient_data"
        return out
    seq = BitSequence(np.unpackbits(np.frombuffer(sample, dtype=np.uint8)))
    m = 8 if len(sample) >= 2560 else 4
    p_mono = monobit(seq)[0][0]
    p_poker = poker(seq, m)[0][0]
    out["tests"] = [
        {"test": "monobit", "reference": "GM/T 0005-2021 §5.1", "p_value": round(p_mono, 6)},
        {"test": f"poker m={m}", "reference": "GM/T 0005-2021 §5.3", "p_value": round(p_poker, 6)},
    ]
    out["outcome"] = "random" if min(p_mono, p_poker) >= ALPHA else "not_random"
    return out


@check(
    "proto.esp.channel",
    "ESP channel: SPIs, packet counts and randomness of the payload",
    "RFC 4303; RFC 3948; GM/T 0022-2014; GM/T 0005-2021 §5.1, §5.3; supports GB/T 39786-2021 8.2 c)",
    {
        "proto.esp.payload_not_random": "the ESP payload bytes fail the randomness tests: the channel may not be encrypted",
        "proto.esp.insufficient_data": "too few ESP payload bytes were captured for the randomness tests",
        "proto.esp.bad_icv": "with the key log, ESP packets whose ICV does not verify",
        "proto.esp.replayed": "with the key log, ESP packets with a sequence number already seen on the SA",
    },
)
def esp_result(channel: EspChannel, capture: str, index: int, ike_verdict: dict[str, Any] | None, keylog: Any = None) -> CheckResult:
    """ESP traffic between two hosts: SPIs, packets and bytes per direction, encapsulation.

    The payload bytes after SPI, sequence number and the 16-byte IV field (ciphertext, ICV)
    are tested with the monobit and poker tests of GM/T 0005-2021 as support for "the channel
    is encrypted": pass when both P-values are at least 0.001, fail otherwise (e.g. ESP_NULL), info when
    fewer than 128 bytes were captured. The algorithms themselves are negotiated inside the
    encrypted IKE exchange; the verdict is the linked IKE SA's, when one is in the capture.
    """
    spec = esp_result.spec  # type: ignore[attr-defined]
    spis = [
        {"spi": f"0x{spi:08X}", "source": src, "destination": dst, "packets": c[0], "bytes": c[1], "first_sequence": c[2], "last_sequence": c[3]}
        for (src, dst, spi), c in channel.spis.items()
    ]
    rnd = randomness(bytes(channel.sample))
    m: dict[str, Any] = {
        "protocol": "ESP",
        "version": "ESP (RFC 4303)",
        "hosts": list(channel.hosts),
        "encapsulation": "UDP 4500 (RFC 3948)" if channel.udp_encapsulated else "IP protocol 50",
        "frames_first": channel.first_frame,
        "spis": spis,
        "packets": sum(s["packets"] for s in spis),
        "randomness": rnd,
        "verdict": ike_verdict["verdict"] if ike_verdict else UNDETERMINED,
        "ike_exchange": ike_verdict["initiator_spi"] if ike_verdict else None,
    }
    findings = []
    if rnd["outcome"] == "random":
        status = Status.PASS
    elif rnd["outcome"] == "not_random":
        status = Status.FAIL
        findings.append(Finding(code="proto.esp.payload_not_random", severity=Severity.ERROR, message="ESP payload bytes fail the randomness tests: the channel may not be encrypted", data=rnd))
    else:
        status = Status.INFO
        findings.append(Finding(code="proto.esp.insufficient_data", severity=Severity.INFO, message=f"only {rnd['bytes']} payload bytes captured; at least {MIN_RANDOMNESS_BYTES} needed for the randomness tests"))
    if keylog is not None:
        from mptool.proto.ipsec.gm.replay import replay_esp

        decrypted = replay_esp(channel.packets, keylog)
        if decrypted is not None:
            m["decrypted"] = decrypted
            for code, key, what in (("proto.esp.bad_icv", "bad_icv", "ICV does not verify"), ("proto.esp.replayed", "replay", "replayed sequence number")):
                frames = sorted(f for entry in decrypted["spis"].values() for f in entry[key])
                if frames:
                    findings.append(Finding(code=code, severity=Severity.ERROR, message=f"{len(frames)} ESP packets: {what}", data={"frames": frames[:100]}))
                    status = Status.FAIL
    subject = f"{capture} #{index} ESP {channel.hosts[0]} <-> {channel.hosts[1]}"
    return spec.result(status, subject=subject, measurements=m, findings=findings)


def link_ike(channel: EspChannel, ike_measurements: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The established IKE SA between the channel's two hosts (the last one), if any."""
    hosts = set(channel.hosts)
    found = None
    for m in ike_measurements:
        ends = {m["initiator"].rsplit(":", 1)[0].strip("[]"), m["responder"].rsplit(":", 1)[0].strip("[]")}
        if ends == hosts and m["established"]:
            found = m
    return found


def count_exchanges(exchanges: dict[bytes, IkeExchange]) -> Counter[str]:
    """IKE SAs per protocol version, for the capture summary."""
    return Counter("IKEv2" if ex.messages[0].major == 2 else "IKEv1" for ex in exchanges.values())
