"""Importing this module registers every rng check (``rng.gmt0005.<test>``), used by ``mptool checks``."""

from mptool.rng import correlation as _correlation  # noqa: F401
from mptool.rng import frequency as _frequency  # noqa: F401
from mptool.rng import linear_complexity as _linear_complexity  # noqa: F401
from mptool.rng import rank as _rank  # noqa: F401
from mptool.rng import runs as _runs  # noqa: F401
from mptool.rng import universal as _universal  # noqa: F401
