/*
 * softsdf.c: mptool's simulated server crypto machine, a shared library with the GM/T 0018 SDF C ABI.
 *
 * Built by `mptool device softsdf --build DIR` with the system C compiler against OpenSSL 3
 * libcrypto (SM3 digest, SM4 block cipher, big numbers and elliptic-curve points on the SM2
 * curve); SM2 sign/verify/encrypt/decrypt (GB/T 32918.2/.4), SM3 with the Z pre-processing,
 * CBC-MAC, HMAC-SM3 and SM4-GCM are written here.
 *
 * Key store (created by SOFTSDF_InitKeyStore, i.e. `mptool device softsdf --init DIR`):
 *   softsdf-master.key  16 random bytes: the device master key (stands for tamper-protected storage)
 *   softsdf-keys.bin    per index 1..N a signing and an encryption SM2 key pair: public keys in clear,
 *                       private keys SM4-CBC encrypted under a key derived from the access password
 *                       (PBKDF2-HMAC-SM3) and MACed with HMAC-SM3; KEKs 1..M wrapped with the master key;
 *                       the whole file MACed (HMAC-SM3) with the master key and checked at SDF_OpenDevice.
 * The key store directory is $SOFTSDF_DIR, else the directory holding this library.
 * $SOFTSDF_TEST_RANDOM_SEED (test suites only) makes SDF_GenerateRandom a reproducible SM3 counter stream.
 *
 * Faults for testing testers (compile-time, one at a time):
 *   SOFTSDF_FAULT_SM4_KEY   SDF_Encrypt/SDF_Decrypt schedule a key with one bit flipped (wrong round keys;
 *                           decryption still inverts encryption, only known answers catch it)
 *   SOFTSDF_FAULT_SM3       SDF_HashFinal returns a digest with one bit flipped
 *   SOFTSDF_FAULT_SM2_SIGN  SDF_InternalSign_ECC computes s with the wrong sign of r*d
 *   SOFTSDF_FAULT_RANDOM    SDF_GenerateRandom sets the low bit of every byte
 *   SOFTSDF_FAULT_CRASH     SDF_InternalSign_ECC writes through a NULL pointer (segfault)
 *   SOFTSDF_FAULT_HANG      SDF_CalculateMAC never returns (sleeps forever: a hung device)
 * Left out on purpose:
 *   SOFTSDF_WITHOUT_HASH    no SDF_HashInit/Update/Final and no HMAC functions
 *   SOFTSDF_WITHOUT_2023    no GM/T 0018-2023 functions (HMAC, AuthEnc/AuthDec); StandardVersion 1
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/bn.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/obj_mac.h>
#include <openssl/rand.h>

#include "sdf.h"

#define EXPORT __attribute__((visibility("default")))

#define SESSION_MAGIC 0x53455353u
#define KEY_MAGIC 0x4b455921u
#define MAX_KEY_LEN 64
#define PBKDF2_ITER 10000
#define KEYS_FILE "softsdf-keys.bin"
#define MASTER_FILE "softsdf-master.key"

#ifdef SOFTSDF_WITHOUT_2023
#define STANDARD_VERSION 1
#else
#define STANDARD_VERSION 2
#endif

typedef struct {
    unsigned char spub[64], epub[64], blob[64], mac[32];
} KEYSLOT;

typedef struct KEY_st {
    unsigned int magic;
    unsigned int len;
    unsigned char key[MAX_KEY_LEN];
    struct KEY_st *next;
} KEY;

typedef struct {
    unsigned int magic;
    EVP_MD_CTX *md;
    int hash_active;
    EVP_MD_CTX *hmac;
    unsigned char hmac_okey[64];
    int hmac_active;
    unsigned char *access;          /* per index: access right obtained */
    unsigned char (*priv)[64];      /* per index: sign d || enc d once access is granted */
    KEY *keys;
} SESSION;

static struct {
    int refs;
    char dir[4096];
    unsigned int nkeys, nkek, iter;
    unsigned char salt[16];
    KEYSLOT *slots;
    unsigned char (*kek)[16];
    unsigned char master[16];
    EC_GROUP *group;
} dev;

static int dev_handle_token;

/* ------------------------------------------------------------------ helpers */

static void put32(unsigned char *p, unsigned int v) { p[0] = v >> 24; p[1] = v >> 16; p[2] = v >> 8; p[3] = v; }
static void put32le(unsigned char *p, unsigned int v) { p[0] = v; p[1] = v >> 8; p[2] = v >> 16; p[3] = v >> 24; }
static unsigned int get32le(const unsigned char *p) { return p[0] | (p[1] << 8) | (p[2] << 16) | ((unsigned int)p[3] << 24); }

static int sm3_parts(unsigned char out[32], const unsigned char *a, size_t alen, const unsigned char *b, size_t blen, const unsigned char *c, size_t clen) {
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    unsigned int len = 32;
    int ok = ctx && EVP_DigestInit_ex(ctx, EVP_sm3(), NULL) && (!alen || EVP_DigestUpdate(ctx, a, alen)) &&
             (!blen || EVP_DigestUpdate(ctx, b, blen)) && (!clen || EVP_DigestUpdate(ctx, c, clen)) && EVP_DigestFinal_ex(ctx, out, &len);
    EVP_MD_CTX_free(ctx);
    return ok;
}

static int hmac_sm3(unsigned char out[32], const unsigned char *key, size_t keylen, const unsigned char *data, size_t len) {
    unsigned char k[64] = {0}, ipad[64], opad[64], inner[32];
    size_t i;
    if (keylen > 64) {
        if (!sm3_parts(k, key, keylen, NULL, 0, NULL, 0)) return 0;
    } else {
        memcpy(k, key, keylen);
    }
    for (i = 0; i < 64; i++) { ipad[i] = k[i] ^ 0x36; opad[i] = k[i] ^ 0x5c; }
    return sm3_parts(inner, ipad, 64, data, len, NULL, 0) && sm3_parts(out, opad, 64, inner, 32, NULL, 0);
}

/* SM4 on whole blocks, ECB (the building block of every mode here) */
static int sm4_ecb(const unsigned char key[16], const unsigned char *in, unsigned char *out, size_t len, int enc) {
    EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
    int outl = 0, ok;
    if (!ctx) return 0;
    ok = EVP_CipherInit_ex(ctx, EVP_sm4_ecb(), NULL, key, NULL, enc) && EVP_CIPHER_CTX_set_padding(ctx, 0) &&
         EVP_CipherUpdate(ctx, out, &outl, in, (int)len);
    EVP_CIPHER_CTX_free(ctx);
    return ok && (size_t)outl == len;
}

static int sm4_cbc(const unsigned char key[16], const unsigned char iv[16], const unsigned char *in, unsigned char *out, size_t len, int enc) {
    unsigned char chain[16], block[16];
    size_t off;
    int i;
    memcpy(chain, iv, 16);
    for (off = 0; off < len; off += 16) {
        if (enc) {
            for (i = 0; i < 16; i++) block[i] = in[off + i] ^ chain[i];
            if (!sm4_ecb(key, block, out + off, 16, 1)) return 0;
            memcpy(chain, out + off, 16);
        } else {
            memcpy(block, in + off, 16);
            if (!sm4_ecb(key, block, out + off, 16, 0)) return 0;
            for (i = 0; i < 16; i++) out[off + i] ^= chain[i];
            memcpy(chain, block, 16);
        }
    }
    return 1;
}

static int secure_random(unsigned char *buf, size_t len) { return RAND_priv_bytes(buf, (int)len) == 1; }

/* ------------------------------------------------------------------ SM2 (GB/T 32918) */

static int group_ready(void) {
    if (!dev.group) dev.group = EC_GROUP_new_by_curve_name(NID_sm2);
    return dev.group != NULL;
}

static void bn_out(const BIGNUM *v, unsigned char out[32]) { BN_bn2binpad(v, out, 32); }

static EC_POINT *point_from(const unsigned char xy[64], BN_CTX *bn) {
    EC_POINT *p = EC_POINT_new(dev.group);
    BIGNUM *x = BN_bin2bn(xy, 32, NULL), *y = BN_bin2bn(xy + 32, 32, NULL);
    if (!p || !x || !y || !EC_POINT_set_affine_coordinates(dev.group, p, x, y, bn) || !EC_POINT_is_on_curve(dev.group, p, bn)) {
        EC_POINT_free(p);
        p = NULL;
    }
    BN_free(x);
    BN_free(y);
    return p;
}

static int point_to(const EC_POINT *p, unsigned char xy[64], BN_CTX *bn) {
    BIGNUM *x = BN_new(), *y = BN_new();
    int ok = x && y && EC_POINT_get_affine_coordinates(dev.group, p, x, y, bn);
    if (ok) { bn_out(x, xy); bn_out(y, xy + 32); }
    BN_free(x);
    BN_free(y);
    return ok;
}

/* random k in [1, n-1] */
static int rand_scalar(BIGNUM *k, const BIGNUM *n) {
    do {
        if (!BN_priv_rand_range(k, n)) return 0;
    } while (BN_is_zero(k));
    return 1;
}

static int sm2_keygen(unsigned char d_out[32], unsigned char pub[64]) {
    BN_CTX *bn = BN_CTX_new();
    BIGNUM *d = BN_new(), *nm1 = BN_new();
    EC_POINT *p = group_ready() ? EC_POINT_new(dev.group) : NULL;
    int ok = bn && d && nm1 && p && BN_copy(nm1, EC_GROUP_get0_order(dev.group)) && BN_sub_word(nm1, 1) && rand_scalar(d, nm1) &&
             EC_POINT_mul(dev.group, p, d, NULL, NULL, bn) && point_to(p, pub, bn);
    if (ok) bn_out(d, d_out);
    EC_POINT_free(p);
    BN_clear_free(d);
    BN_free(nm1);
    BN_CTX_free(bn);
    return ok;
}

static int sm2_sign(const unsigned char d_bytes[32], const unsigned char e_bytes[32], unsigned char r_out[32], unsigned char s_out[32]) {
    BN_CTX *bn = BN_CTX_new();
    BIGNUM *d = BN_bin2bn(d_bytes, 32, NULL), *e = BN_bin2bn(e_bytes, 32, NULL), *k = BN_new(), *r = BN_new(), *s = BN_new(),
           *x1 = BN_new(), *t = BN_new(), *inv = BN_new();
    EC_POINT *kg = EC_POINT_new(dev.group);
    const BIGNUM *n = EC_GROUP_get0_order(dev.group);
    int ok = 0;
    if (!bn || !d || !e || !k || !r || !s || !x1 || !t || !inv || !kg) goto done;
    for (;;) {
        if (!rand_scalar(k, n) || !EC_POINT_mul(dev.group, kg, k, NULL, NULL, bn) ||
            !EC_POINT_get_affine_coordinates(dev.group, kg, x1, NULL, bn) || !BN_mod_add(r, e, x1, n, bn))
            goto done;
        if (BN_is_zero(r)) continue;
        if (!BN_add(t, r, k)) goto done;
        if (BN_cmp(t, n) == 0) continue;
        /* s = (1 + d)^-1 * (k - r*d) mod n */
        if (!BN_copy(t, d) || !BN_add_word(t, 1) || !BN_mod_inverse(inv, t, n, bn) || !BN_mod_mul(t, r, d, n, bn))
            goto done;
#ifdef SOFTSDF_FAULT_SM2_SIGN
        if (!BN_mod_add(t, k, t, n, bn)) goto done;
#else
        if (!BN_mod_sub(t, k, t, n, bn)) goto done;
#endif
        if (!BN_mod_mul(s, inv, t, n, bn)) goto done;
        if (!BN_is_zero(s)) break;
    }
    bn_out(r, r_out);
    bn_out(s, s_out);
    ok = 1;
done:
    EC_POINT_free(kg);
    BN_clear_free(d);
    BN_clear_free(k);
    BN_free(e); BN_free(r); BN_free(s); BN_free(x1); BN_free(t); BN_free(inv);
    BN_CTX_free(bn);
    return ok;
}

/* 1 valid, 0 invalid, -1 error */
static int sm2_verify(const unsigned char pub[64], const unsigned char e_bytes[32], const unsigned char r_bytes[32], const unsigned char s_bytes[32]) {
    BN_CTX *bn = BN_CTX_new();
    BIGNUM *e = BN_bin2bn(e_bytes, 32, NULL), *r = BN_bin2bn(r_bytes, 32, NULL), *s = BN_bin2bn(s_bytes, 32, NULL), *t = BN_new(), *x1 = BN_new(), *R = BN_new();
    EC_POINT *p = NULL, *q = NULL;
    const BIGNUM *n;
    int result = -1;
    if (!group_ready() || !bn || !e || !r || !s || !t || !x1 || !R) goto done;
    n = EC_GROUP_get0_order(dev.group);
    p = point_from(pub, bn);
    if (!p) goto done;
    result = 0;
    if (BN_is_zero(r) || BN_cmp(r, n) >= 0 || BN_is_zero(s) || BN_cmp(s, n) >= 0) goto done;
    if (!BN_mod_add(t, r, s, n, bn) || BN_is_zero(t)) goto done;
    q = EC_POINT_new(dev.group);
    if (!q || !EC_POINT_mul(dev.group, q, s, p, t, bn) || EC_POINT_is_at_infinity(dev.group, q) ||
        !EC_POINT_get_affine_coordinates(dev.group, q, x1, NULL, bn) || !BN_mod_add(R, e, x1, n, bn)) {
        result = -1;
        goto done;
    }
    result = BN_cmp(R, r) == 0;
done:
    EC_POINT_free(p); EC_POINT_free(q);
    BN_free(e); BN_free(r); BN_free(s); BN_free(t); BN_free(x1); BN_free(R);
    BN_CTX_free(bn);
    return result;
}

static int sm2_kdf(const unsigned char z[64], unsigned char *out, size_t len) {
    unsigned char ct[4], block[32];
    unsigned int counter = 1;
    size_t off = 0, n;
    while (off < len) {
        put32(ct, counter++);
        if (!sm3_parts(block, z, 64, ct, 4, NULL, 0)) return 0;
        n = len - off < 32 ? len - off : 32;
        memcpy(out + off, block, n);
        off += n;
    }
    return 1;
}

/* c1: 64 bytes x||y, c3: 32 bytes, c2: len bytes */
static int sm2_encrypt(const unsigned char pub[64], const unsigned char *m, size_t len, unsigned char c1[64], unsigned char c3[32], unsigned char *c2) {
    BN_CTX *bn = BN_CTX_new();
    BIGNUM *k = BN_new();
    EC_POINT *p = NULL, *kg = NULL, *kp = NULL;
    unsigned char xy[64];
    size_t i;
    int ok = 0, nonzero;
    if (!group_ready() || !bn || !k || len == 0) goto done;
    p = point_from(pub, bn);
    kg = EC_POINT_new(dev.group);
    kp = EC_POINT_new(dev.group);
    if (!p || !kg || !kp) goto done;
    for (;;) {
        if (!rand_scalar(k, EC_GROUP_get0_order(dev.group)) || !EC_POINT_mul(dev.group, kg, k, NULL, NULL, bn) ||
            !EC_POINT_mul(dev.group, kp, NULL, p, k, bn) || !point_to(kg, c1, bn) || !point_to(kp, xy, bn) || !sm2_kdf(xy, c2, len))
            goto done;
        for (nonzero = 0, i = 0; i < len; i++) nonzero |= c2[i];
        if (nonzero) break;
    }
    for (i = 0; i < len; i++) c2[i] ^= m[i];
    ok = sm3_parts(c3, xy, 32, m, len, xy + 32, 32);
done:
    EC_POINT_free(p); EC_POINT_free(kg); EC_POINT_free(kp);
    BN_clear_free(k);
    BN_CTX_free(bn);
    return ok;
}

/* returns SDR_OK or an error code */
static int sm2_decrypt(const unsigned char d_bytes[32], const unsigned char c1[64], const unsigned char c3[32], const unsigned char *c2, size_t len, unsigned char *m) {
    BN_CTX *bn = BN_CTX_new();
    BIGNUM *d = BN_bin2bn(d_bytes, 32, NULL);
    EC_POINT *p = NULL, *q = NULL;
    unsigned char xy[64], check[32];
    size_t i;
    int rc = SDR_UNKNOWERR, nonzero;
    if (!group_ready() || !bn || !d || len == 0) goto done;
    p = point_from(c1, bn);
    if (!p) { rc = SDR_ENCDATAERR; goto done; }
    q = EC_POINT_new(dev.group);
    if (!q || !EC_POINT_mul(dev.group, q, NULL, p, d, bn) || !point_to(q, xy, bn) || !sm2_kdf(xy, m, len)) goto done;
    for (nonzero = 0, i = 0; i < len; i++) nonzero |= m[i];
    if (!nonzero) { rc = SDR_ENCDATAERR; goto done; }
    for (i = 0; i < len; i++) m[i] ^= c2[i];
    if (!sm3_parts(check, xy, 32, m, len, xy + 32, 32)) goto done;
    rc = CRYPTO_memcmp(check, c3, 32) == 0 ? SDR_OK : SDR_ENCDATAERR;
    if (rc != SDR_OK) memset(m, 0, len);
done:
    EC_POINT_free(p); EC_POINT_free(q);
    BN_clear_free(d);
    BN_CTX_free(bn);
    return rc;
}

/* ECC structures <-> 32-byte values (right-aligned in the 64-byte fields) */
static int pub_in(const ECCrefPublicKey *pk, unsigned char xy[64]) {
    int i;
    if (!pk || pk->bits != 256) return 0;
    for (i = 0; i < 32; i++)
        if (pk->x[i] || pk->y[i]) return 0;
    memcpy(xy, pk->x + 32, 32);
    memcpy(xy + 32, pk->y + 32, 32);
    return 1;
}

static void pub_out(const unsigned char xy[64], ECCrefPublicKey *pk) {
    memset(pk, 0, sizeof(*pk));
    pk->bits = 256;
    memcpy(pk->x + 32, xy, 32);
    memcpy(pk->y + 32, xy + 32, 32);
}

static void cipher_out(const unsigned char c1[64], const unsigned char c3[32], const unsigned char *c2, unsigned int len, ECCCipher *c) {
    memset(c->x, 0, 64);
    memset(c->y, 0, 64);
    memcpy(c->x + 32, c1, 32);
    memcpy(c->y + 32, c1 + 32, 32);
    memcpy(c->M, c3, 32);
    c->L = len;
    memcpy(c->C, c2, len);
}

static void cipher_c1(const ECCCipher *c, unsigned char c1[64]) {
    memcpy(c1, c->x + 32, 32);
    memcpy(c1 + 32, c->y + 32, 32);
}

/* ------------------------------------------------------------------ key store */

static int read_file(const char *dir, const char *name, unsigned char **buf, size_t *len) {
    char path[4200];
    FILE *f;
    long size;
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    f = fopen(path, "rb");
    if (!f) return 0;
    if (fseek(f, 0, SEEK_END) || (size = ftell(f)) < 0 || fseek(f, 0, SEEK_SET)) { fclose(f); return 0; }
    *buf = malloc(size ? (size_t)size : 1);
    if (!*buf || fread(*buf, 1, (size_t)size, f) != (size_t)size) { fclose(f); free(*buf); *buf = NULL; return 0; }
    fclose(f);
    *len = (size_t)size;
    return 1;
}

static int write_file(const char *dir, const char *name, const unsigned char *buf, size_t len) {
    char path[4200];
    FILE *f;
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    f = fopen(path, "wb");
    if (!f) return 0;
    if (fwrite(buf, 1, len, f) != len) { fclose(f); return 0; }
    chmod(path, 0600);
    return fclose(f) == 0;
}

static int derive_password_keys(const unsigned char *pwd, unsigned int pwdlen, const unsigned char salt[16], unsigned int iter, unsigned char out[32]) {
    return PKCS5_PBKDF2_HMAC((const char *)pwd, (int)pwdlen, salt, 16, (int)iter, EVP_sm3(), 32, out) == 1;
}

static void slot_iv(const unsigned char salt[16], unsigned int index, unsigned char iv[16]) {
    unsigned char idx[4], h[32];
    put32(idx, index);
    sm3_parts(h, salt, 16, idx, 4, NULL, 0);
    memcpy(iv, h, 16);
}

static int slot_mac(const unsigned char kmac[16], unsigned int index, const KEYSLOT *s, unsigned char mac[32]) {
    unsigned char buf[4 + 192];
    put32(buf, index);
    memcpy(buf + 4, s->spub, 64);
    memcpy(buf + 68, s->epub, 64);
    memcpy(buf + 132, s->blob, 64);
    return hmac_sm3(mac, kmac, 16, buf, sizeof(buf));
}

#define HEADER_LEN (8 + 4 + 4 + 4 + 16)

EXPORT int SOFTSDF_InitKeyStore(const char *dir, const unsigned char *pwd, unsigned int pwdlen, unsigned int nkeys, unsigned int nkek) {
    unsigned char master[16], salt[16], pk[32], priv[64], iv[16], kek[16];
    size_t len, off;
    unsigned char *buf;
    unsigned int i;
    KEYSLOT slot;
    int ok = 0;
    if (!dir || !pwd || pwdlen < 8 || nkeys == 0 || nkeys > 1024 || nkek > 1024) return SDR_INARGERR;
    if (!group_ready()) return SDR_UNKNOWERR;
    len = HEADER_LEN + (size_t)nkeys * sizeof(KEYSLOT) + (size_t)nkek * 16 + 32;
    buf = calloc(1, len);
    if (!buf) return SDR_NOBUFFER;
    if (!secure_random(master, 16) || !secure_random(salt, 16) || !derive_password_keys(pwd, pwdlen, salt, PBKDF2_ITER, pk)) goto done;
    memcpy(buf, "SOFTSDF1", 8);
    put32le(buf + 8, nkeys);
    put32le(buf + 12, nkek);
    put32le(buf + 16, PBKDF2_ITER);
    memcpy(buf + 20, salt, 16);
    off = HEADER_LEN;
    for (i = 1; i <= nkeys; i++) {
        memset(&slot, 0, sizeof(slot));
        if (!sm2_keygen(priv, slot.spub) || !sm2_keygen(priv + 32, slot.epub)) goto done;
        slot_iv(salt, i, iv);
        if (!sm4_cbc(pk, iv, priv, slot.blob, 64, 1) || !slot_mac(pk + 16, i, &slot, slot.mac)) goto done;
        memcpy(buf + off, &slot, sizeof(slot));
        off += sizeof(slot);
    }
    for (i = 1; i <= nkek; i++) {
        if (!secure_random(kek, 16) || !sm4_ecb(master, kek, buf + off, 16, 1)) goto done;
        off += 16;
    }
    if (!hmac_sm3(buf + off, master, 16, buf, off)) goto done;
    mkdir(dir, 0700);
    ok = write_file(dir, MASTER_FILE, master, 16) && write_file(dir, KEYS_FILE, buf, len);
done:
    OPENSSL_cleanse(priv, sizeof(priv));
    OPENSSL_cleanse(pk, sizeof(pk));
    OPENSSL_cleanse(master, sizeof(master));
    OPENSSL_cleanse(kek, sizeof(kek));
    free(buf);
    return ok ? SDR_OK : SDR_FILEWERR;
}

static void find_dir(void) {
    const char *env = getenv("SOFTSDF_DIR");
    Dl_info info;
    char *slash;
    if (env && *env) {
        snprintf(dev.dir, sizeof(dev.dir), "%s", env);
        return;
    }
    if (dladdr((void *)&find_dir, &info) && info.dli_fname) {
        snprintf(dev.dir, sizeof(dev.dir), "%s", info.dli_fname);
        slash = strrchr(dev.dir, '/');
        if (slash) { *slash = 0; return; }
    }
    snprintf(dev.dir, sizeof(dev.dir), ".");
}

static int load_keystore(void) {
    unsigned char *buf = NULL, *master = NULL, mac[32];
    size_t len = 0, mlen = 0, off, need;
    unsigned int i;
    int rc = SDR_OPENDEVICE;
    find_dir();
    if (!read_file(dev.dir, MASTER_FILE, &master, &mlen) || mlen != 16 || !read_file(dev.dir, KEYS_FILE, &buf, &len) || len < HEADER_LEN + 32 ||
        memcmp(buf, "SOFTSDF1", 8) != 0)
        goto done;
    dev.nkeys = get32le(buf + 8);
    dev.nkek = get32le(buf + 12);
    dev.iter = get32le(buf + 16);
    need = HEADER_LEN + (size_t)dev.nkeys * sizeof(KEYSLOT) + (size_t)dev.nkek * 16 + 32;
    if (dev.nkeys > 1024 || dev.nkek > 1024 || len != need) goto done;
    /* key integrity self-test: HMAC-SM3 of the key file under the master key */
    if (!hmac_sm3(mac, master, 16, buf, len - 32) || CRYPTO_memcmp(mac, buf + len - 32, 32) != 0) goto done;
    memcpy(dev.master, master, 16);
    memcpy(dev.salt, buf + 20, 16);
    dev.slots = calloc(dev.nkeys + 1, sizeof(KEYSLOT));
    dev.kek = calloc(dev.nkek + 1, 16);
    if (!dev.slots || !dev.kek) goto done;
    off = HEADER_LEN;
    for (i = 1; i <= dev.nkeys; i++, off += sizeof(KEYSLOT)) memcpy(&dev.slots[i], buf + off, sizeof(KEYSLOT));
    for (i = 1; i <= dev.nkek; i++, off += 16)
        if (!sm4_ecb(dev.master, buf + off, dev.kek[i], 16, 0)) goto done;
    rc = SDR_OK;
done:
    if (master) OPENSSL_cleanse(master, mlen);
    free(master);
    free(buf);
    if (rc != SDR_OK) {
        free(dev.slots); free(dev.kek);
        dev.slots = NULL; dev.kek = NULL;
        dev.nkeys = dev.nkek = 0;
    }
    return rc;
}

/* ------------------------------------------------------------------ device and session (GM/T 0018 6.2) */

EXPORT int SDF_OpenDevice(void **phDeviceHandle) {
    int rc;
    if (!phDeviceHandle) return SDR_INARGERR;
    if (dev.refs == 0) {
        if (!group_ready()) return SDR_OPENDEVICE;
        rc = load_keystore();
        if (rc != SDR_OK) return rc;
    }
    dev.refs++;
    *phDeviceHandle = &dev_handle_token;
    return SDR_OK;
}

EXPORT int SDF_CloseDevice(void *hDeviceHandle) {
    if (hDeviceHandle != &dev_handle_token || dev.refs == 0) return SDR_INARGERR;
    if (--dev.refs == 0) {
        if (dev.kek) OPENSSL_cleanse(dev.kek, (dev.nkek + 1) * 16);
        free(dev.slots); free(dev.kek);
        dev.slots = NULL; dev.kek = NULL;
        OPENSSL_cleanse(dev.master, 16);
    }
    return SDR_OK;
}

EXPORT int SDF_OpenSession(void *hDeviceHandle, void **phSessionHandle) {
    SESSION *s;
    if (hDeviceHandle != &dev_handle_token || dev.refs == 0 || !phSessionHandle) return SDR_INARGERR;
    s = calloc(1, sizeof(SESSION));
    if (!s) return SDR_OPENSESSION;
    s->magic = SESSION_MAGIC;
    s->access = calloc(dev.nkeys + 1, 1);
    s->priv = calloc(dev.nkeys + 1, 64);
    s->md = EVP_MD_CTX_new();
    s->hmac = EVP_MD_CTX_new();
    if (!s->access || !s->priv || !s->md || !s->hmac) {
        free(s->access); free(s->priv); EVP_MD_CTX_free(s->md); EVP_MD_CTX_free(s->hmac); free(s);
        return SDR_OPENSESSION;
    }
    *phSessionHandle = s;
    return SDR_OK;
}

static SESSION *session(void *h) {
    SESSION *s = h;
    return (s && s->magic == SESSION_MAGIC) ? s : NULL;
}

EXPORT int SDF_CloseSession(void *hSessionHandle) {
    SESSION *s = session(hSessionHandle);
    KEY *k, *next;
    if (!s) return SDR_INARGERR;
    for (k = s->keys; k; k = next) { next = k->next; OPENSSL_cleanse(k, sizeof(*k)); free(k); }
    OPENSSL_cleanse(s->priv, (dev.nkeys + 1) * 64);
    free(s->priv); free(s->access);
    EVP_MD_CTX_free(s->md); EVP_MD_CTX_free(s->hmac);
    s->magic = 0;
    free(s);
    return SDR_OK;
}

EXPORT int SDF_GetDeviceInfo(void *hSessionHandle, DEVICEINFO *info) {
    if (!session(hSessionHandle) || !info) return SDR_INARGERR;
    memset(info, 0, sizeof(*info));
    memcpy(info->IssuerName, "mptool", 6);
    memcpy(info->DeviceName, "SoftSDF", 7);
    memcpy(info->DeviceSerial, "MPTOOL-SOFTSDF-1", 16);
    info->DeviceVersion = 0x00010000;
    info->StandardVersion = STANDARD_VERSION;
    info->AsymAlgAbility[0] = SGD_SM2_1 | SGD_SM2_3;
    info->AsymAlgAbility[1] = 256;
    info->SymAlgAbility = SGD_SM4_ECB | SGD_SM4_CBC | SGD_SM4_MAC;
#ifndef SOFTSDF_WITHOUT_2023
    info->SymAlgAbility |= SGD_SM4_GCM;
#endif
#ifndef SOFTSDF_WITHOUT_HASH
    info->HashAlgAbility = SGD_SM3;
#endif
    info->BufferSize = 1 << 20;
    return SDR_OK;
}

EXPORT int SDF_GenerateRandom(void *hSessionHandle, unsigned int uiLength, unsigned char *pucRandom) {
    if (!session(hSessionHandle) || !pucRandom) return SDR_INARGERR;
    if (uiLength == 0) return SDR_OK;
    if (getenv("SOFTSDF_TEST_RANDOM_SEED")) {
        /* TEST ONLY: a reproducible stream SM3(seed || counter) so that test suites get a fixed
           GM/T 0005 verdict; never set it on a lab device */
        static unsigned long long counter;
        const char *seed = getenv("SOFTSDF_TEST_RANDOM_SEED");
        unsigned char ctr[8], block[32];
        unsigned int off = 0, n, i;
        while (off < uiLength) {
            for (i = 0; i < 8; i++) ctr[i] = (unsigned char)(counter >> (56 - 8 * i));
            counter++;
            if (!sm3_parts(block, (const unsigned char *)seed, strlen(seed), ctr, 8, NULL, 0)) return SDR_RANDERR;
            n = uiLength - off < 32 ? uiLength - off : 32;
            memcpy(pucRandom + off, block, n);
            off += n;
        }
    } else if (RAND_bytes(pucRandom, (int)uiLength) != 1) {
        return SDR_RANDERR;
    }
#ifdef SOFTSDF_FAULT_RANDOM
    {
        unsigned int i;
        for (i = 0; i < uiLength; i++) pucRandom[i] |= 1;
    }
#endif
    return SDR_OK;
}

EXPORT int SDF_GetPrivateKeyAccessRight(void *hSessionHandle, unsigned int uiKeyIndex, unsigned char *pucPassword, unsigned int uiPwdLength) {
    SESSION *s = session(hSessionHandle);
    unsigned char pk[32], mac[32], iv[16];
    int rc = SDR_PRKRERR;
    if (!s || !pucPassword) return SDR_INARGERR;
    if (uiKeyIndex == 0 || uiKeyIndex > dev.nkeys) return SDR_KEYNOTEXIST;
    if (uiPwdLength < 8) return SDR_PRKRERR;
    if (!derive_password_keys(pucPassword, uiPwdLength, dev.salt, dev.iter, pk)) return SDR_UNKNOWERR;
    if (slot_mac(pk + 16, uiKeyIndex, &dev.slots[uiKeyIndex], mac) && CRYPTO_memcmp(mac, dev.slots[uiKeyIndex].mac, 32) == 0) {
        slot_iv(dev.salt, uiKeyIndex, iv);
        if (sm4_cbc(pk, iv, dev.slots[uiKeyIndex].blob, s->priv[uiKeyIndex], 64, 0)) {
            s->access[uiKeyIndex] = 1;
            rc = SDR_OK;
        } else {
            rc = SDR_UNKNOWERR;
        }
    }
    OPENSSL_cleanse(pk, sizeof(pk));
    return rc;
}

EXPORT int SDF_ReleasePrivateKeyAccessRight(void *hSessionHandle, unsigned int uiKeyIndex) {
    SESSION *s = session(hSessionHandle);
    if (!s) return SDR_INARGERR;
    if (uiKeyIndex == 0 || uiKeyIndex > dev.nkeys) return SDR_KEYNOTEXIST;
    s->access[uiKeyIndex] = 0;
    OPENSSL_cleanse(s->priv[uiKeyIndex], 64);
    return SDR_OK;
}

/* ------------------------------------------------------------------ key management (GM/T 0018 6.3) */

EXPORT int SDF_ExportSignPublicKey_ECC(void *hSessionHandle, unsigned int uiKeyIndex, ECCrefPublicKey *pucPublicKey) {
    if (!session(hSessionHandle) || !pucPublicKey) return SDR_INARGERR;
    if (uiKeyIndex == 0 || uiKeyIndex > dev.nkeys) return SDR_KEYNOTEXIST;
    pub_out(dev.slots[uiKeyIndex].spub, pucPublicKey);
    return SDR_OK;
}

EXPORT int SDF_ExportEncPublicKey_ECC(void *hSessionHandle, unsigned int uiKeyIndex, ECCrefPublicKey *pucPublicKey) {
    if (!session(hSessionHandle) || !pucPublicKey) return SDR_INARGERR;
    if (uiKeyIndex == 0 || uiKeyIndex > dev.nkeys) return SDR_KEYNOTEXIST;
    pub_out(dev.slots[uiKeyIndex].epub, pucPublicKey);
    return SDR_OK;
}

static int new_key(SESSION *s, const unsigned char *key, unsigned int len, void **ph) {
    KEY *k;
    if (len == 0 || len > MAX_KEY_LEN) return SDR_KEYERR;
    k = calloc(1, sizeof(KEY));
    if (!k) return SDR_NOBUFFER;
    k->magic = KEY_MAGIC;
    k->len = len;
    memcpy(k->key, key, len);
    k->next = s->keys;
    s->keys = k;
    *ph = k;
    return SDR_OK;
}

static KEY *find_key(SESSION *s, void *h) {
    KEY *k;
    for (k = s->keys; k; k = k->next)
        if ((void *)k == h && k->magic == KEY_MAGIC) return k;
    return NULL;
}

static int session_key_bits(unsigned int bits) { return bits == 128; }

EXPORT int SDF_GenerateKeyWithIPK_ECC(void *hSessionHandle, unsigned int uiIPKIndex, unsigned int uiKeyBits, ECCCipher *pucKey, void **phKeyHandle) {
    SESSION *s = session(hSessionHandle);
    unsigned char key[16], c1[64], c3[32], c2[16];
    int rc;
    if (!s || !pucKey || !phKeyHandle) return SDR_INARGERR;
    if (uiIPKIndex == 0 || uiIPKIndex > dev.nkeys) return SDR_KEYNOTEXIST;
    if (!session_key_bits(uiKeyBits)) return SDR_INARGERR;
    if (!secure_random(key, 16)) return SDR_RANDERR;
    if (!sm2_encrypt(dev.slots[uiIPKIndex].epub, key, 16, c1, c3, c2)) return SDR_PKOPERR;
    cipher_out(c1, c3, c2, 16, pucKey);
    rc = new_key(s, key, 16, phKeyHandle);
    OPENSSL_cleanse(key, sizeof(key));
    return rc;
}

EXPORT int SDF_GenerateKeyWithEPK_ECC(void *hSessionHandle, unsigned int uiKeyBits, unsigned int uiAlgID, ECCrefPublicKey *pucPublicKey, ECCCipher *pucKey, void **phKeyHandle) {
    SESSION *s = session(hSessionHandle);
    unsigned char key[16], pub[64], c1[64], c3[32], c2[16];
    int rc;
    if (!s || !pucKey || !phKeyHandle) return SDR_INARGERR;
    if (uiAlgID != SGD_SM2_3 && uiAlgID != SGD_SM2) return SDR_ALGNOTSUPPORT;
    if (!session_key_bits(uiKeyBits) || !pub_in(pucPublicKey, pub)) return SDR_INARGERR;
    if (!secure_random(key, 16)) return SDR_RANDERR;
    if (!sm2_encrypt(pub, key, 16, c1, c3, c2)) return SDR_PKOPERR;
    cipher_out(c1, c3, c2, 16, pucKey);
    rc = new_key(s, key, 16, phKeyHandle);
    OPENSSL_cleanse(key, sizeof(key));
    return rc;
}

EXPORT int SDF_ImportKeyWithISK_ECC(void *hSessionHandle, unsigned int uiISKIndex, ECCCipher *pucKey, void **phKeyHandle) {
    SESSION *s = session(hSessionHandle);
    unsigned char c1[64], key[MAX_KEY_LEN];
    int rc;
    if (!s || !pucKey || !phKeyHandle) return SDR_INARGERR;
    if (uiISKIndex == 0 || uiISKIndex > dev.nkeys) return SDR_KEYNOTEXIST;
    if (!s->access[uiISKIndex]) return SDR_PRKRERR;
    if (pucKey->L == 0 || pucKey->L > MAX_KEY_LEN) return SDR_KEYERR;
    cipher_c1(pucKey, c1);
    rc = sm2_decrypt(s->priv[uiISKIndex] + 32, c1, pucKey->M, pucKey->C, pucKey->L, key);
    if (rc == SDR_OK) rc = new_key(s, key, pucKey->L, phKeyHandle);
    OPENSSL_cleanse(key, sizeof(key));
    return rc;
}

EXPORT int SDF_GenerateKeyWithKEK(void *hSessionHandle, unsigned int uiKeyBits, unsigned int uiAlgID, unsigned int uiKEKIndex, unsigned char *pucKey, unsigned int *puiKeyLength, void **phKeyHandle) {
    SESSION *s = session(hSessionHandle);
    unsigned char key[16];
    int rc;
    if (!s || !pucKey || !puiKeyLength || !phKeyHandle) return SDR_INARGERR;
    if (uiAlgID != SGD_SM4_ECB) return SDR_ALGNOTSUPPORT;
    if (uiKEKIndex == 0 || uiKEKIndex > dev.nkek) return SDR_KEYNOTEXIST;
    if (!session_key_bits(uiKeyBits)) return SDR_INARGERR;
    if (!secure_random(key, 16)) return SDR_RANDERR;
    if (!sm4_ecb(dev.kek[uiKEKIndex], key, pucKey, 16, 1)) return SDR_SYMOPERR;
    *puiKeyLength = 16;
    rc = new_key(s, key, 16, phKeyHandle);
    OPENSSL_cleanse(key, sizeof(key));
    return rc;
}

EXPORT int SDF_ImportKeyWithKEK(void *hSessionHandle, unsigned int uiAlgID, unsigned int uiKEKIndex, unsigned char *pucKey, unsigned int uiKeyLength, void **phKeyHandle) {
    SESSION *s = session(hSessionHandle);
    unsigned char key[16];
    int rc;
    if (!s || !pucKey || !phKeyHandle) return SDR_INARGERR;
    if (uiAlgID != SGD_SM4_ECB) return SDR_ALGNOTSUPPORT;
    if (uiKEKIndex == 0 || uiKEKIndex > dev.nkek) return SDR_KEYNOTEXIST;
    if (uiKeyLength != 16) return SDR_INARGERR;
    if (!sm4_ecb(dev.kek[uiKEKIndex], pucKey, key, 16, 0)) return SDR_SYMOPERR;
    rc = new_key(s, key, 16, phKeyHandle);
    OPENSSL_cleanse(key, sizeof(key));
    return rc;
}

/* GM/T 0018-2012 6.3: a session key wrapped under the internal encryption key of uiKeyIndex
   (e.g. by SDF_GenerateKeyWithIPK_ECC) re-wrapped under an external SM2 public key; the key
   never leaves the device in clear. Needs the private-key access right of uiKeyIndex. */
EXPORT int SDF_ExchangeDigitEnvelopeBaseOnECC(void *hSessionHandle, unsigned int uiKeyIndex, unsigned int uiAlgID, ECCrefPublicKey *pucPublicKey, ECCCipher *pucEncDataIn, ECCCipher *pucEncDataOut) {
    SESSION *s = session(hSessionHandle);
    unsigned char c1[64], pub[64], key[MAX_KEY_LEN], oc1[64], oc3[32], oc2[MAX_KEY_LEN];
    unsigned int len;
    int rc;
    if (!s || !pucPublicKey || !pucEncDataIn || !pucEncDataOut) return SDR_INARGERR;
    if (uiAlgID != SGD_SM2_3 && uiAlgID != SGD_SM2) return SDR_ALGNOTSUPPORT;
    if (uiKeyIndex == 0 || uiKeyIndex > dev.nkeys) return SDR_KEYNOTEXIST;
    if (!s->access[uiKeyIndex]) return SDR_PRKRERR;
    len = pucEncDataIn->L;
    if (len == 0 || len > MAX_KEY_LEN) return SDR_KEYERR;
    if (!pub_in(pucPublicKey, pub)) return SDR_INARGERR;
    cipher_c1(pucEncDataIn, c1);
    rc = sm2_decrypt(s->priv[uiKeyIndex] + 32, c1, pucEncDataIn->M, pucEncDataIn->C, len, key);
    if (rc == SDR_OK) {
        if (sm2_encrypt(pub, key, len, oc1, oc3, oc2)) cipher_out(oc1, oc3, oc2, len, pucEncDataOut);
        else rc = SDR_PKOPERR;
    }
    OPENSSL_cleanse(key, sizeof(key));
    OPENSSL_cleanse(oc2, sizeof(oc2));
    return rc;
}

EXPORT int SDF_DestroyKey(void *hSessionHandle, void *hKeyHandle) {
    SESSION *s = session(hSessionHandle);
    KEY **pp;
    if (!s) return SDR_INARGERR;
    for (pp = &s->keys; *pp; pp = &(*pp)->next) {
        if ((void *)*pp == hKeyHandle) {
            KEY *k = *pp;
            *pp = k->next;
            OPENSSL_cleanse(k, sizeof(*k));
            free(k);
            return SDR_OK;
        }
    }
    return SDR_KEYNOTEXIST;
}

/* ------------------------------------------------------------------ asymmetric (GM/T 0018 6.4) */

EXPORT int SDF_ExternalVerify_ECC(void *hSessionHandle, unsigned int uiAlgID, ECCrefPublicKey *pucPublicKey, unsigned char *pucDataInput, unsigned int uiInputLength, ECCSignature *pucSignature) {
    unsigned char pub[64];
    int v;
    if (!session(hSessionHandle) || !pucDataInput || !pucSignature) return SDR_INARGERR;
    if (uiAlgID != SGD_SM2_1 && uiAlgID != SGD_SM2) return SDR_ALGNOTSUPPORT;
    if (uiInputLength != 32 || !pub_in(pucPublicKey, pub)) return SDR_INARGERR;
    v = sm2_verify(pub, pucDataInput, pucSignature->r + 32, pucSignature->s + 32);
    return v == 1 ? SDR_OK : v == 0 ? SDR_VERIFYERR : SDR_PKOPERR;
}

EXPORT int SDF_InternalSign_ECC(void *hSessionHandle, unsigned int uiISKIndex, unsigned char *pucData, unsigned int uiDataLength, ECCSignature *pucSignature) {
    SESSION *s = session(hSessionHandle);
#ifdef SOFTSDF_FAULT_CRASH
    volatile unsigned char *nowhere = NULL;
    nowhere[0] = 1; /* the deliberate segfault of the crashing build */
#endif
    if (!s || !pucData || !pucSignature) return SDR_INARGERR;
    if (uiISKIndex == 0 || uiISKIndex > dev.nkeys) return SDR_KEYNOTEXIST;
    if (!s->access[uiISKIndex]) return SDR_PRKRERR;
    if (uiDataLength != 32) return SDR_INARGERR;
    memset(pucSignature, 0, sizeof(*pucSignature));
    if (!sm2_sign(s->priv[uiISKIndex], pucData, pucSignature->r + 32, pucSignature->s + 32)) return SDR_SIGNERR;
    return SDR_OK;
}

EXPORT int SDF_InternalVerify_ECC(void *hSessionHandle, unsigned int uiIPKIndex, unsigned char *pucData, unsigned int uiDataLength, ECCSignature *pucSignature) {
    int v;
    if (!session(hSessionHandle) || !pucData || !pucSignature) return SDR_INARGERR;
    if (uiIPKIndex == 0 || uiIPKIndex > dev.nkeys) return SDR_KEYNOTEXIST;
    if (uiDataLength != 32) return SDR_INARGERR;
    v = sm2_verify(dev.slots[uiIPKIndex].spub, pucData, pucSignature->r + 32, pucSignature->s + 32);
    return v == 1 ? SDR_OK : v == 0 ? SDR_VERIFYERR : SDR_PKOPERR;
}

static int encrypt_to(const unsigned char pub[64], unsigned char *pucData, unsigned int uiDataLength, ECCCipher *pucEncData) {
    unsigned char c1[64], c3[32], *c2;
    int ok;
    if (uiDataLength == 0 || uiDataLength > 1024) return SDR_INARGERR;
    c2 = malloc(uiDataLength);
    if (!c2) return SDR_NOBUFFER;
    ok = sm2_encrypt(pub, pucData, uiDataLength, c1, c3, c2);
    if (ok) cipher_out(c1, c3, c2, uiDataLength, pucEncData);
    free(c2);
    return ok ? SDR_OK : SDR_PKOPERR;
}

EXPORT int SDF_ExternalEncrypt_ECC(void *hSessionHandle, unsigned int uiAlgID, ECCrefPublicKey *pucPublicKey, unsigned char *pucData, unsigned int uiDataLength, ECCCipher *pucEncData) {
    unsigned char pub[64];
    if (!session(hSessionHandle) || !pucData || !pucEncData) return SDR_INARGERR;
    if (uiAlgID != SGD_SM2_3 && uiAlgID != SGD_SM2) return SDR_ALGNOTSUPPORT;
    if (!pub_in(pucPublicKey, pub)) return SDR_INARGERR;
    return encrypt_to(pub, pucData, uiDataLength, pucEncData);
}

EXPORT int SDF_ExternalDecrypt_ECC(void *hSessionHandle, unsigned int uiAlgID, ECCrefPrivateKey *pucPrivateKey, ECCCipher *pucEncData, unsigned char *pucData, unsigned int *puiDataLength) {
    unsigned char c1[64];
    int rc;
    if (!session(hSessionHandle) || !pucPrivateKey || !pucEncData || !pucData || !puiDataLength) return SDR_INARGERR;
    if (uiAlgID != SGD_SM2_3 && uiAlgID != SGD_SM2) return SDR_ALGNOTSUPPORT;
    if (pucPrivateKey->bits != 256 || pucEncData->L == 0 || pucEncData->L > 1024) return SDR_INARGERR;
    cipher_c1(pucEncData, c1);
    rc = sm2_decrypt(pucPrivateKey->K + 32, c1, pucEncData->M, pucEncData->C, pucEncData->L, pucData);
    if (rc == SDR_OK) *puiDataLength = pucEncData->L;
    return rc;
}

EXPORT int SDF_InternalEncrypt_ECC(void *hSessionHandle, unsigned int uiIPKIndex, unsigned int uiAlgID, unsigned char *pucData, unsigned int uiDataLength, ECCCipher *pucEncData) {
    if (!session(hSessionHandle) || !pucData || !pucEncData) return SDR_INARGERR;
    if (uiAlgID != SGD_SM2_3 && uiAlgID != SGD_SM2) return SDR_ALGNOTSUPPORT;
    if (uiIPKIndex == 0 || uiIPKIndex > dev.nkeys) return SDR_KEYNOTEXIST;
    return encrypt_to(dev.slots[uiIPKIndex].epub, pucData, uiDataLength, pucEncData);
}

EXPORT int SDF_InternalDecrypt_ECC(void *hSessionHandle, unsigned int uiISKIndex, unsigned int uiAlgID, ECCCipher *pucEncData, unsigned char *pucData, unsigned int *puiDataLength) {
    SESSION *s = session(hSessionHandle);
    unsigned char c1[64];
    int rc;
    if (!s || !pucEncData || !pucData || !puiDataLength) return SDR_INARGERR;
    if (uiAlgID != SGD_SM2_3 && uiAlgID != SGD_SM2) return SDR_ALGNOTSUPPORT;
    if (uiISKIndex == 0 || uiISKIndex > dev.nkeys) return SDR_KEYNOTEXIST;
    if (!s->access[uiISKIndex]) return SDR_PRKRERR;
    if (pucEncData->L == 0 || pucEncData->L > 1024) return SDR_INARGERR;
    cipher_c1(pucEncData, c1);
    rc = sm2_decrypt(s->priv[uiISKIndex] + 32, c1, pucEncData->M, pucEncData->C, pucEncData->L, pucData);
    if (rc == SDR_OK) *puiDataLength = pucEncData->L;
    return rc;
}

/* ------------------------------------------------------------------ symmetric (GM/T 0018 6.5) */

static const unsigned char *working_key(const KEY *k, unsigned char buf[16]) {
    memcpy(buf, k->key, 16);
#ifdef SOFTSDF_FAULT_SM4_KEY
    buf[15] ^= 0x01; /* the deliberate fault: the key schedule starts from a wrong key */
#endif
    return buf;
}

static int sym_crypt(void *hSessionHandle, void *hKeyHandle, unsigned int uiAlgID, unsigned char *pucIV, unsigned char *in, unsigned int len, unsigned char *out, unsigned int *outlen, int enc) {
    SESSION *s = session(hSessionHandle);
    KEY *k;
    unsigned char key[16];
    int ok;
    if (!s || !in || !out || !outlen) return SDR_INARGERR;
    k = find_key(s, hKeyHandle);
    if (!k) return SDR_KEYNOTEXIST;
    if (k->len != 16) return SDR_KEYTYPEERR;
    if (uiAlgID != SGD_SM4_ECB && uiAlgID != SGD_SM4_CBC) return SDR_ALGNOTSUPPORT;
    if (len == 0 || len % 16) return SDR_INARGERR;
    if (uiAlgID == SGD_SM4_CBC && !pucIV) return SDR_INARGERR;
    working_key(k, key);
    ok = uiAlgID == SGD_SM4_ECB ? sm4_ecb(key, in, out, len, enc) : sm4_cbc(key, pucIV, in, out, len, enc);
    OPENSSL_cleanse(key, sizeof(key));
    if (!ok) return SDR_SYMOPERR;
    /* GM/T 0018: the IV buffer is updated to the last ciphertext block for chaining */
    if (uiAlgID == SGD_SM4_CBC) memcpy(pucIV, enc ? out + len - 16 : in + len - 16, 16);
    *outlen = len;
    return SDR_OK;
}

EXPORT int SDF_Encrypt(void *hSessionHandle, void *hKeyHandle, unsigned int uiAlgID, unsigned char *pucIV, unsigned char *pucData, unsigned int uiDataLength, unsigned char *pucEncData, unsigned int *puiEncDataLength) {
    return sym_crypt(hSessionHandle, hKeyHandle, uiAlgID, pucIV, pucData, uiDataLength, pucEncData, puiEncDataLength, 1);
}

EXPORT int SDF_Decrypt(void *hSessionHandle, void *hKeyHandle, unsigned int uiAlgID, unsigned char *pucIV, unsigned char *pucEncData, unsigned int uiEncDataLength, unsigned char *pucData, unsigned int *puiDataLength) {
    return sym_crypt(hSessionHandle, hKeyHandle, uiAlgID, pucIV, pucEncData, uiEncDataLength, pucData, puiDataLength, 0);
}

EXPORT int SDF_CalculateMAC(void *hSessionHandle, void *hKeyHandle, unsigned int uiAlgID, unsigned char *pucIV, unsigned char *pucData, unsigned int uiDataLength, unsigned char *pucMAC, unsigned int *puiMACLength) {
    SESSION *s = session(hSessionHandle);
    KEY *k;
    unsigned char *buf;
    if (!s || !pucIV || !pucData || !pucMAC || !puiMACLength) return SDR_INARGERR;
#ifdef SOFTSDF_FAULT_HANG
    for (;;) sleep(60); /* the deliberate fault: the device never answers */
#endif
    k = find_key(s, hKeyHandle);
    if (!k) return SDR_KEYNOTEXIST;
    if (k->len != 16) return SDR_KEYTYPEERR;
    if (uiAlgID != SGD_SM4_MAC) return SDR_ALGNOTSUPPORT;
    if (uiDataLength == 0 || uiDataLength % 16) return SDR_INARGERR;
    /* CBC-MAC: the last block of SM4-CBC over the data (GB/T 15852.1 MAC algorithm 1, no padding) */
    buf = malloc(uiDataLength);
    if (!buf) return SDR_NOBUFFER;
    if (!sm4_cbc(k->key, pucIV, pucData, buf, uiDataLength, 1)) { free(buf); return SDR_SYMOPERR; }
    memcpy(pucMAC, buf + uiDataLength - 16, 16);
    *puiMACLength = 16;
    free(buf);
    return SDR_OK;
}

#ifndef SOFTSDF_WITHOUT_2023
static void gf_mul(unsigned char x[16], const unsigned char h[16]) {
    unsigned char z[16] = {0}, v[16];
    int i, j, carry;
    memcpy(v, h, 16);
    for (i = 0; i < 128; i++) {
        if (x[i / 8] & (0x80 >> (i % 8)))
            for (j = 0; j < 16; j++) z[j] ^= v[j];
        carry = v[15] & 1;
        for (j = 15; j > 0; j--) v[j] = (v[j] >> 1) | (v[j - 1] << 7);
        v[0] >>= 1;
        if (carry) v[0] ^= 0xe1;
    }
    memcpy(x, z, 16);
}

static void ghash_update(unsigned char y[16], const unsigned char h[16], const unsigned char *data, size_t len) {
    size_t off, n, i;
    for (off = 0; off < len; off += 16) {
        n = len - off < 16 ? len - off : 16;
        for (i = 0; i < n; i++) y[i] ^= data[off + i];
        gf_mul(y, h);
    }
}

/* SM4-GCM with a 96-bit IV (NIST SP 800-38D, RFC 8998) */
static int sm4_gcm(const unsigned char key[16], const unsigned char iv[12], const unsigned char *aad, size_t aadlen, const unsigned char *in, size_t len,
                   unsigned char *out, unsigned char tag[16], int enc) {
    unsigned char h[16] = {0}, j0[16], ctr[16], ks[16], y[16] = {0}, lens[16], ek[16];
    size_t off, n, i;
    unsigned int c;
    if (!sm4_ecb(key, h, h, 16, 1)) return 0;
    memcpy(j0, iv, 12);
    put32(j0 + 12, 1);
    ghash_update(y, h, aad, aadlen);
    if (!enc) ghash_update(y, h, in, len);
    memcpy(ctr, j0, 16);
    for (off = 0; off < len; off += 16) {
        c = ((unsigned int)ctr[12] << 24 | ctr[13] << 16 | ctr[14] << 8 | ctr[15]) + 1;
        put32(ctr + 12, c);
        if (!sm4_ecb(key, ctr, ks, 16, 1)) return 0;
        n = len - off < 16 ? len - off : 16;
        for (i = 0; i < n; i++) out[off + i] = in[off + i] ^ ks[i];
    }
    if (enc) ghash_update(y, h, out, len);
    memset(lens, 0, 16);
    put32(lens + 4, (unsigned int)(aadlen * 8));
    put32(lens + 12, (unsigned int)(len * 8));
    ghash_update(y, h, lens, 16);
    if (!sm4_ecb(key, j0, ek, 16, 1)) return 0;
    for (i = 0; i < 16; i++) tag[i] = y[i] ^ ek[i];
    return 1;
}

EXPORT int SDF_AuthEnc(void *hSessionHandle, void *hKeyHandle, unsigned int uiAlgID, unsigned char *pucStartVar, unsigned int uiStartVarLength, unsigned char *pucAad, unsigned int uiAadLength, unsigned char *pucData, unsigned int uiDataLength, unsigned char *pucEncData, unsigned int *puiEncDataLength, unsigned char *pucAuthData, unsigned int *puiAuthDataLength) {
    SESSION *s = session(hSessionHandle);
    KEY *k;
    if (!s || !pucStartVar || (!pucAad && uiAadLength) || !pucData || !pucEncData || !puiEncDataLength || !pucAuthData || !puiAuthDataLength) return SDR_INARGERR;
    k = find_key(s, hKeyHandle);
    if (!k) return SDR_KEYNOTEXIST;
    if (k->len != 16) return SDR_KEYTYPEERR;
    if (uiAlgID != SGD_SM4_GCM) return SDR_ALGNOTSUPPORT;
    if (uiStartVarLength != 12) return SDR_INARGERR;
    if (!sm4_gcm(k->key, pucStartVar, pucAad, uiAadLength, pucData, uiDataLength, pucEncData, pucAuthData, 1)) return SDR_SYMOPERR;
    *puiEncDataLength = uiDataLength;
    *puiAuthDataLength = 16;
    return SDR_OK;
}

EXPORT int SDF_AuthDec(void *hSessionHandle, void *hKeyHandle, unsigned int uiAlgID, unsigned char *pucStartVar, unsigned int uiStartVarLength, unsigned char *pucAad, unsigned int uiAadLength, unsigned char *pucAuthData, unsigned int *puiAuthDataLength, unsigned char *pucEncData, unsigned int uiEncDataLength, unsigned char *pucData, unsigned int *puiDataLength) {
    SESSION *s = session(hSessionHandle);
    KEY *k;
    unsigned char tag[16];
    if (!s || !pucStartVar || (!pucAad && uiAadLength) || !pucAuthData || !puiAuthDataLength || !pucEncData || !pucData || !puiDataLength) return SDR_INARGERR;
    k = find_key(s, hKeyHandle);
    if (!k) return SDR_KEYNOTEXIST;
    if (k->len != 16) return SDR_KEYTYPEERR;
    if (uiAlgID != SGD_SM4_GCM) return SDR_ALGNOTSUPPORT;
    if (uiStartVarLength != 12 || *puiAuthDataLength != 16) return SDR_INARGERR;
    if (!sm4_gcm(k->key, pucStartVar, pucAad, uiAadLength, pucEncData, uiEncDataLength, pucData, tag, 0)) return SDR_SYMOPERR;
    if (CRYPTO_memcmp(tag, pucAuthData, 16) != 0) {
        memset(pucData, 0, uiEncDataLength);
        return SDR_MACERR;
    }
    *puiDataLength = uiEncDataLength;
    return SDR_OK;
}
#endif

/* ------------------------------------------------------------------ hash (GM/T 0018 6.6) */

#ifndef SOFTSDF_WITHOUT_HASH
/* Z = SM3(ENTL || ID || a || b || xG || yG || xA || yA) (GB/T 32918.2-2016 5.5) */
static int compute_z(const unsigned char pub[64], const unsigned char *id, unsigned int idlen, unsigned char z[32]) {
    unsigned char buf[2 + 8192 + 192];
    BN_CTX *bn = BN_CTX_new();
    BIGNUM *p = BN_new(), *a = BN_new(), *b = BN_new(), *gx = BN_new(), *gy = BN_new();
    size_t off = 0;
    int ok = 0;
    if (idlen > 8191 || !group_ready() || !bn || !p || !a || !b || !gx || !gy) goto done;
    if (!EC_GROUP_get_curve(dev.group, p, a, b, bn) || !EC_POINT_get_affine_coordinates(dev.group, EC_GROUP_get0_generator(dev.group), gx, gy, bn)) goto done;
    buf[off++] = (unsigned char)((idlen * 8) >> 8);
    buf[off++] = (unsigned char)(idlen * 8);
    memcpy(buf + off, id, idlen);
    off += idlen;
    BN_bn2binpad(a, buf + off, 32); off += 32;
    BN_bn2binpad(b, buf + off, 32); off += 32;
    BN_bn2binpad(gx, buf + off, 32); off += 32;
    BN_bn2binpad(gy, buf + off, 32); off += 32;
    memcpy(buf + off, pub, 64); off += 64;
    ok = sm3_parts(z, buf, off, NULL, 0, NULL, 0);
done:
    BN_free(p); BN_free(a); BN_free(b); BN_free(gx); BN_free(gy);
    BN_CTX_free(bn);
    return ok;
}

EXPORT int SDF_HashInit(void *hSessionHandle, unsigned int uiAlgID, ECCrefPublicKey *pucPublicKey, unsigned char *pucID, unsigned int uiIDLength) {
    SESSION *s = session(hSessionHandle);
    unsigned char pub[64], z[32];
    if (!s) return SDR_INARGERR;
    if (uiAlgID != SGD_SM3) return SDR_ALGNOTSUPPORT;
    if (!EVP_DigestInit_ex(s->md, EVP_sm3(), NULL)) return SDR_UNKNOWERR;
    if (pucPublicKey) {
        if (!pucID || uiIDLength == 0) return SDR_INARGERR;
        if (!pub_in(pucPublicKey, pub) || uiIDLength > 8191) return SDR_INARGERR;
        if (!compute_z(pub, pucID, uiIDLength, z) || !EVP_DigestUpdate(s->md, z, 32)) return SDR_UNKNOWERR;
    }
    s->hash_active = 1;
    return SDR_OK;
}

EXPORT int SDF_HashUpdate(void *hSessionHandle, unsigned char *pucData, unsigned int uiDataLength) {
    SESSION *s = session(hSessionHandle);
    if (!s || (!pucData && uiDataLength)) return SDR_INARGERR;
    if (!s->hash_active) return SDR_STEPERR;
    if (uiDataLength && !EVP_DigestUpdate(s->md, pucData, uiDataLength)) return SDR_UNKNOWERR;
    return SDR_OK;
}

EXPORT int SDF_HashFinal(void *hSessionHandle, unsigned char *pucHash, unsigned int *puiHashLength) {
    SESSION *s = session(hSessionHandle);
    unsigned int len = 32;
    if (!s || !pucHash || !puiHashLength) return SDR_INARGERR;
    if (!s->hash_active) return SDR_STEPERR;
    s->hash_active = 0;
    if (!EVP_DigestFinal_ex(s->md, pucHash, &len)) return SDR_UNKNOWERR;
#ifdef SOFTSDF_FAULT_SM3
    pucHash[31] ^= 0x80; /* the deliberate fault */
#endif
    *puiHashLength = len;
    return SDR_OK;
}

#ifndef SOFTSDF_WITHOUT_2023
EXPORT int SDF_HMACInit(void *hSessionHandle, void *hKeyHandle, unsigned int uiAlgID) {
    SESSION *s = session(hSessionHandle);
    KEY *k;
    unsigned char ipad[64];
    int i;
    if (!s) return SDR_INARGERR;
    k = find_key(s, hKeyHandle);
    if (!k) return SDR_KEYNOTEXIST;
    if (uiAlgID != SGD_SM3) return SDR_ALGNOTSUPPORT;
    for (i = 0; i < 64; i++) {
        unsigned char b = i < (int)k->len ? k->key[i] : 0;
        ipad[i] = b ^ 0x36;
        s->hmac_okey[i] = b ^ 0x5c;
    }
    if (!EVP_DigestInit_ex(s->hmac, EVP_sm3(), NULL) || !EVP_DigestUpdate(s->hmac, ipad, 64)) return SDR_UNKNOWERR;
    s->hmac_active = 1;
    return SDR_OK;
}

EXPORT int SDF_HMACUpdate(void *hSessionHandle, unsigned char *pucData, unsigned int uiDataLength) {
    SESSION *s = session(hSessionHandle);
    if (!s || (!pucData && uiDataLength)) return SDR_INARGERR;
    if (!s->hmac_active) return SDR_STEPERR;
    if (uiDataLength && !EVP_DigestUpdate(s->hmac, pucData, uiDataLength)) return SDR_UNKNOWERR;
    return SDR_OK;
}

EXPORT int SDF_HMACFinal(void *hSessionHandle, unsigned char *pucHMac, unsigned int *puiMacLength) {
    SESSION *s = session(hSessionHandle);
    unsigned char inner[32];
    unsigned int len = 32;
    if (!s || !pucHMac || !puiMacLength) return SDR_INARGERR;
    if (!s->hmac_active) return SDR_STEPERR;
    s->hmac_active = 0;
    if (!EVP_DigestFinal_ex(s->hmac, inner, &len) || !sm3_parts(pucHMac, s->hmac_okey, 64, inner, 32, NULL, 0)) return SDR_UNKNOWERR;
    *puiMacLength = 32;
    return SDR_OK;
}
#endif
#endif
