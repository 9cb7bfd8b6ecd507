#!/usr/bin/env python3
"""Kept for old notes: the GM/T 0022 IPSec lab is ``mptool lab ipsec`` (src/mptool/proto/ipsec/lab.py).

    sudo python3 scripts/ipsec_lab.py --out lab/      # same as: sudo mptool lab ipsec --out lab/
"""

from __future__ import annotations

import sys

from mptool.cli import cli

if __name__ == "__main__":
    sys.exit(cli(["lab", "ipsec", *sys.argv[1:]]))
