"""Synthetic personal records for the lab application (made by the program: no real person's data).

Names are random combinations of common surnames and given-name characters; ID numbers have the
GB 11643-1999 layout and check digit but region code ``99xxxx`` (no such province: codes are 11-82);
mobile numbers are in the 140 range (IoT/data-only numbers, not personal phones). The same seed
gives the same records, so tests can check that no plaintext leaks anywhere.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华玉萍红梅飞鑫波斌宇浩凯健俊帆帅旭宁龙林欣瑶婷雪琳晨阳佳怡子涵思雨梓轩一诺浩然宇轩欣怡"
CITIES = ("北京", "上海", "广州", "深圳", "杭州", "南京", "成都", "武汉", "西安", "重庆", "天津", "苏州", "长沙", "郑州", "青岛", "合肥")
_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


@dataclass(frozen=True)
class Record:
    """One synthetic customer."""

    id: int
    name: str
    city: str
    id_card: str
    phone: str
    created: str


def id_check_digit(first17: str) -> str:
    """The GB 11643-1999 check character (ISO 7064 MOD 11-2) of 17 digits."""
    total = sum(int(d) * w for d, w in zip(first17, _WEIGHTS))
    return "10X98765432"[total % 11]


def generate(count: int, seed: int = 1) -> list[Record]:
    """``count`` synthetic records, reproducible from ``seed``."""
    rng = random.Random(f"mptool-lab-{seed}")
    out: list[Record] = []
    start = date(1950, 1, 1)
    for i in range(1, count + 1):
        name = rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2, 2))))
        born = start + timedelta(days=rng.randrange(365 * 55))
        first17 = f"99{rng.randrange(10000):04d}{born:%Y%m%d}{rng.randrange(1000):03d}"
        phone = f"140{rng.randrange(10**8):08d}"
        created = (date(2023, 1, 1) + timedelta(days=rng.randrange(900))).isoformat()
        out.append(Record(i, name, rng.choice(CITIES), first17 + id_check_digit(first17), phone, created))
    return out
