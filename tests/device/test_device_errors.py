"""Error codes of the soft device, bad inputs (exit 3, one line), the softsdf command, catalogue and demo."""

from __future__ import annotations

import ctypes
import sys
from pathlib import Path

import pytest
from device_support import _reproducible_random, PASSWORD, SMALL_RANDOM, requires_toolchain, result, softsdf

from conftest import run_cli
from mptool.core import registry
from mptool.device.sdf.binding import SDFLibrary, Session, addr
from mptool.device.sdf.constants import CODE_BY_NAME, ERROR_CODES, error_name
from mptool.device.sdf.structs import ECCrefPublicKey, ECCSignature, get_field, point_of


def _one_line_error(res, code: int = 3) -> str:
    assert res.exit_code == code, (res.stdout, res.stderr)
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("mptool: error: "), res.stderr
    assert "Traceback" not in res.stderr and res.stdout == ""
    return lines[0]


def test_missing_library_exits_3_with_one_line(tmp_path) -> None:
    line = _one_line_error(run_cli(["device", "test", "--sdf", str(tmp_path / "nope.so")]))
    assert "nope.so: no such file" in line


def test_not_a_shared_library_exits_3(tmp_path) -> None:
    text = tmp_path / "fake.so"
    text.write_text("this is not a library\n")
    assert "not a shared library" in _one_line_error(run_cli(["device", "test", "--sdf", str(text)]))


def test_a_shared_library_without_sdf_functions_exits_3() -> None:
    import _ctypes

    line = _one_line_error(run_cli(["device", "test", "--sdf", _ctypes.__file__, "--check", "device.sdf.info"]))
    assert "not a GM/T 0018 SDF library" in line


def test_usage_errors_exit_2(tmp_path) -> None:
    assert run_cli(["device", "test"]).exit_code == 2
    assert run_cli(["device", "softsdf"]).exit_code == 2
    assert run_cli(["device", "softsdf", "--init", str(tmp_path)]).exit_code == 2  # no password


@requires_toolchain
def test_device_without_key_store_exits_3_with_hint() -> None:
    line = _one_line_error(run_cli(["device", "test", "--sdf", str(softsdf("bare", init=False)), "--check", "device.sdf.info"]))
    assert "SDR_OPENDEVICE" in line and "softsdf --init" in line


@requires_toolchain
def test_softsdf_build_prints_the_library_path(tmp_path) -> None:
    res = run_cli(["device", "softsdf", "--build", str(tmp_path / "b")])
    assert res.exit_code == 0, res.stderr
    assert res.stdout.strip() == str((tmp_path / "b" / "libsoftsdf.so").resolve())
    assert "unknown fault" in _one_line_error(run_cli(["device", "softsdf", "--build", str(tmp_path / "c"), "--fault", "nonsense"]))
    assert "at least 8 bytes" in _one_line_error(run_cli(["device", "softsdf", "--init", str(tmp_path / "b"), "--password", "short"]))


@requires_toolchain
def test_wrong_password_and_wrong_index_give_the_documented_codes() -> None:
    """Directly through the binding (mptool's own library is safe to load in-process)."""
    lib = SDFLibrary(str(softsdf()))
    with Session(lib) as s:
        wrong = ctypes.create_string_buffer(b"not-the-password")
        assert error_name(lib.call("SDF_GetPrivateKeyAccessRight", s.handle, 1, addr(wrong), 16)) == "SDR_PRKRERR (0x01000018)"
        right = ctypes.create_string_buffer(PASSWORD.encode())
        assert lib.call("SDF_GetPrivateKeyAccessRight", s.handle, 99, addr(right), len(PASSWORD)) == CODE_BY_NAME["SDR_KEYNOTEXIST"]
        key = ECCrefPublicKey()
        assert lib.call("SDF_ExportSignPublicKey_ECC", s.handle, 0, addr(key)) == 0x01000008
        digest = (ctypes.c_ubyte * 32)()
        sig = ECCSignature()
        assert lib.call("SDF_InternalSign_ECC", s.handle, 1, addr(digest), 32, addr(sig)) == CODE_BY_NAME["SDR_PRKRERR"]
        assert lib.call("SDF_GetPrivateKeyAccessRight", s.handle, 1, addr(right), len(PASSWORD)) == 0
        assert lib.call("SDF_InternalSign_ECC", s.handle, 1, addr(digest), 32, addr(sig)) == 0


@requires_toolchain
def test_error_handling_check_records_the_codes() -> None:
    res = run_cli(["device", "test", "--sdf", str(softsdf()), "--password", PASSWORD, "--check", "device.sdf.error_handling", "-f", "json"])
    cases = {c["case"]: c for c in result(res.json(), "device.sdf.error_handling")["measurements"]["cases"]}
    assert cases["wrong_password"]["code"] == "SDR_PRKRERR (0x01000018)"
    assert cases["wrong_index_access"]["code"] == "SDR_KEYNOTEXIST (0x01000008)"
    assert cases["wrong_index_export"]["code"] == "SDR_KEYNOTEXIST (0x01000008)"
    assert cases["sign_without_access_right"]["code"] == "SDR_PRKRERR (0x01000018)"
    assert cases["hash_update_before_init"]["code"] == "SDR_STEPERR (0x01000010)"
    assert all(c["ok"] for c in cases.values())


@requires_toolchain
def test_device_signature_verifies_with_an_independent_sm2() -> None:
    """The soft device's signature, checked by gmssl (pure-Python SM2, not mptool's) over e = SM3(Z||M) from GB/T 32918."""
    from gmssl import sm2 as gm

    lib = SDFLibrary(str(softsdf()))
    from mptool.algo.api import sm2

    with Session(lib) as s:
        key = ECCrefPublicKey()
        assert lib.call("SDF_ExportSignPublicKey_ECC", s.handle, 2, addr(key)) == 0
        right = ctypes.create_string_buffer(PASSWORD.encode())
        assert lib.call("SDF_GetPrivateKeyAccessRight", s.handle, 2, addr(right), len(PASSWORD)) == 0
        x, y = point_of(key)
        e = sm2.message_digest((x, y), b"independent oracle")
        digest = ctypes.create_string_buffer(e, 32)
        sig = ECCSignature()
        assert lib.call("SDF_InternalSign_ECC", s.handle, 2, addr(digest), 32, addr(sig)) == 0
    signer = gm.CryptSM2(private_key="", public_key=f"{x:064x}{y:064x}")
    signer.public_key = f"{x:064x}{y:064x}"  # gmssl's constructor lstrip("04")s the key: an X starting with hex 0/4 was cut
    signature = (get_field(sig.r) + get_field(sig.s)).hex()
    assert signer.verify(signature, e)
    assert not signer.verify(signature, bytes(32))


def test_error_code_table_is_complete() -> None:
    names = [name for name, _ in ERROR_CODES.values()]
    assert len(names) == len(set(names)) == 32
    assert CODE_BY_NAME["SDR_USERIDERR"] == 0x0100001F and error_name(0x12345678).endswith("vendor-specific)")


def test_device_checks_are_catalogued_with_clauses() -> None:
    specs = [s for s in registry.load_all() if s.domain == "device"]
    assert {s.id for s in specs} >= {
        "device.sdf.info", "device.sdf.random", "device.sdf.sm3_kat", "device.sdf.sm4_kat", "device.sdf.mac", "device.sdf.hmac",
        "device.sdf.sm2_sign", "device.sdf.sm2_verify", "device.sdf.sm2_encrypt", "device.sdf.key_inventory", "device.sdf.error_handling",
    }
    for spec in specs:
        assert "GM/T 0018" in spec.reference and spec.description, spec.id
        if spec.id.startswith("device.sdf."):  # device-test checks (device.lab.create is the lab application's result)
            assert "device.sdf.library_crashed" in spec.findings and f"{spec.id}.call_failed" in spec.findings
            assert "device.sdf.library_timeout" in spec.findings


def test_demo_row_says_when_the_toolchain_is_missing(monkeypatch) -> None:
    import mptool.device.softsdf as softsdf_pkg
    from mptool.device import demo

    monkeypatch.setattr(softsdf_pkg, "toolchain_problem", lambda: "no C compiler (cc/gcc) on PATH: install gcc and libssl-dev")
    runs = demo.demo_runs()
    assert runs[0].description.startswith("NOT RUN") and "libssl-dev" in runs[0].description


def test_softsdf_source_is_package_data() -> None:
    from mptool.device.softsdf.build import source_dir

    assert (source_dir() / "softsdf.c").is_file() and (source_dir() / "sdf.h").is_file()
    assert Path(sys.executable).exists()
