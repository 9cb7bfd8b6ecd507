"""Every check of the device domain, in one table (GM/T 0018 function groups in clause order).

Each check is a function over a :class:`~mptool.device.checks.context.DeviceContext`
registered with ``@check`` (its docstring is the catalogue text); they run in a child process
(:mod:`mptool.device.runner`) so that a crashing vendor library is reported, not fatal.
"""

from __future__ import annotations

from collections.abc import Callable

from mptool.core.model import CheckResult
from mptool.core.registry import CheckSpec
from mptool.device.checks import asymmetric, lab, management, symmetric

#: check id -> implementing function, in run order
IMPLEMENTATIONS: dict[str, Callable[..., CheckResult]] = {
    fn.spec.id: fn  # type: ignore[attr-defined]
    for fn in (
        management.info,  # 6.2
        management.random,  # 6.2
        management.key_inventory,  # 6.3
        symmetric.sm3_kat,  # 6.6
        symmetric.sm4_kat,  # 6.5
        symmetric.mac,  # 6.5
        symmetric.hmac,  # 6.6 (2023)
        asymmetric.sm2_sign,  # 6.4
        asymmetric.sm2_verify,  # 6.4
        asymmetric.sm2_encrypt,  # 6.4
        management.error_handling,  # 6.2-6.4, appendix A
    )
}

#: the device-test checks, then the lab application's result (``mptool device lab``, not run by ``device test``)
CHECKS: tuple[CheckSpec, ...] = (*(fn.spec for fn in IMPLEMENTATIONS.values()), lab.CREATE)  # type: ignore[attr-defined]
