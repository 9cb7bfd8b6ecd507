"""Importing this module registers every rng check (``rng.gmt0005.<test>``), used by ``mptool checks``."""

from mptool.randomness import correlation as _correlation  # noqa: F401
from mptool.randomness import frequency as _frequency  # noqa: F401
from mptool.randomness import linear_complexity as _linear_complexity  # noqa: F401
from mptool.randomness import rank as _rank  # noqa: F401
from mptool.randomness import runs as _runs  # noqa: F401
from mptool.randomness import universal as _universal  # noqa: F401
