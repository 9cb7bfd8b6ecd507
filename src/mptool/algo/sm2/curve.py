"""SM2 curve parameters (GB/T 32918.1-2016 §5, GB/T 32918.5-2017) and point validation."""

from __future__ import annotations

from dataclasses import dataclass

from mptool.algo.sm2.errors import SM2Error

#: An affine point (x, y); the point at infinity is never a valid public value.
Point = tuple[int, int]


@dataclass(frozen=True)
class Curve:
    """Short Weierstrass curve y^2 = x^3 + a*x + b over F_p with base point G of order n.

    ``h`` is the cofactor. Instances are hashable and used as cache keys for precomputed tables.
    """

    name: str
    p: int
    a: int
    b: int
    n: int
    gx: int
    gy: int
    h: int = 1

    @property
    def g(self) -> Point:
        """The base point G."""
        return (self.gx, self.gy)

    @property
    def field_bytes(self) -> int:
        """Length in bytes of an encoded field element (coordinate)."""
        return (self.p.bit_length() + 7) // 8

    @property
    def order_bytes(self) -> int:
        """Length in bytes of an encoded scalar (r, s of a signature)."""
        return (self.n.bit_length() + 7) // 8

    def contains(self, point: Point) -> bool:
        """True when ``point`` has coordinates in [0, p-1] and satisfies the curve equation."""
        x, y = point
        p = self.p
        if not (0 <= x < p and 0 <= y < p):
            return False
        return (y * y - (x * x * x + self.a * x + self.b)) % p == 0

    def check_private_key(self, d: object) -> int:
        """Return ``d`` if it is a valid private key, an integer in [1, n-2] (GB/T 32918.1 §6.1)."""
        if not isinstance(d, int) or isinstance(d, bool):
            raise SM2Error("private key: expected an integer")
        if not 1 <= d <= self.n - 2:
            raise SM2Error(f"private key: must be in [1, n-2] for curve {self.name}")
        return d

    def sqrt(self, value: int) -> int | None:
        """A square root of ``value`` mod p, or None when there is none."""
        p = self.p
        value %= p
        if value == 0:
            return 0
        if pow(value, (p - 1) // 2, p) != 1:
            return None
        if p % 4 == 3:
            return pow(value, (p + 1) // 4, p)
        return _tonelli_shanks(value, p)


def probable_prime(value: int) -> bool:
    """Miller-Rabin with the first 20 prime bases (error < 4^-20 for adversarial input)."""
    bases = (2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37, 41, 43, 47, 53, 59, 61, 67, 71)
    if value < 2:
        return False
    for q in bases:
        if value % q == 0:
            return value == q
    d, r = value - 1, 0
    while d % 2 == 0:
        d //= 2
        r += 1
    for base in bases:
        x = pow(base, d, value)
        if x in (1, value - 1):
            continue
        for _ in range(r - 1):
            x = x * x % value
            if x == value - 1:
                break
        else:
            return False
    return True


def _tonelli_shanks(a: int, p: int) -> int:
    q, s = p - 1, 0
    while q % 2 == 0:
        q //= 2
        s += 1
    z = 2
    while pow(z, (p - 1) // 2, p) != p - 1:
        z += 1
    m, c, t, r = s, pow(z, q, p), pow(a, q, p), pow(a, (q + 1) // 2, p)
    while t != 1:
        i, t2 = 0, t
        while t2 != 1:
            t2 = t2 * t2 % p
            i += 1
        b = pow(c, 1 << (m - i - 1), p)
        m, c, t, r = i, b * b % p, t * b * b % p, r * b % p
    return r


#: The recommended curve of GB/T 32918.5-2017 (OID 1.2.156.10197.1.301).
SM2P256V1 = Curve(
    name="sm2p256v1",
    p=0xFFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF00000000FFFFFFFFFFFFFFFF,
    a=0xFFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF00000000FFFFFFFFFFFFFFFC,
    b=0x28E9FA9E9D9F5E344D5A9E4BCF6509A7F39789F515AB8F92DDBCBD414D940E93,
    n=0xFFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFF7203DF6B21C6052B53BBF40939D54123,
    gx=0x32C4AE2C1F1981195F9904466A39C9948FE30BBFF2660BE1715A4589334C74C7,
    gy=0xBC3736A2F4F6779C59BDCEE36B692153D0A9877CC62A474002DF32E52139F0A0,
)

#: The Fp-256 example curve of the GB/T 32918.2/.3/.4-2016 annexes (a TEST curve).
SM2_TEST_CURVE = Curve(
    name="sm2-test-fp256",
    p=0x8542D69E4C044F18E8B92435BF6FF7DE457283915C45517D722EDB8B08F1DFC3,
    a=0x787968B4FA32C3FD2417842E73BBFEFF2F3C848B6831D7E0EC65228B3937E498,
    b=0x63E4C6D3B23B0C849CF84241484BFE48F61D59A5B16BA06E6E12D1DA27C5249A,
    n=0x8542D69E4C044F18E8B92435BF6FF7DD297720630485628D5AE74EE7C32E79B7,
    gx=0x421DEBD61B62EAB6746434EBC3CC315E32220B3BADD50BDC4C4E6C147FEDD43D,
    gy=0x0680512BCBB42C07D47349D2153B70C4E5D7FDFCBFA36EA1A85841B9E46E09A2,
)

#: Curves by name (both the project names and the names used in the shared vector file).
CURVES: dict[str, Curve] = {
    "sm2p256v1": SM2P256V1,
    "sm2-test-fp256": SM2_TEST_CURVE,
    "sm2_test_fp256": SM2_TEST_CURVE,
}
