/*
 * Berlekamp–Massey over GF(2) for many blocks at once (the linear complexity test, GM/T 0005-2021
 * §5.13, NIST SP 800-22 rev1a §2.10), compiled: issue 20. The same bit-sliced algorithm as the
 * numpy path of linear_complexity.py, which stays the fallback where this module is not built:
 * 64 blocks share one uint64 word per bit position (bit b of a word belongs to block 64g+b), so
 * one word operation advances the step of 64 blocks; the correction polynomial x^{N-m'}B is
 * kept in a buffer read at an offset that moves by one each step, so nothing is ever shifted.
 * Here each group of 64 blocks runs on its own, touching only the coefficients up to its own
 * largest complexity, in one fused loop instead of numpy's passes over temporaries.
 *
 * linear_complexities(blocks, count, m, out): blocks is a C-contiguous buffer of count*m bytes
 * (0/1, block after block), out a writable buffer of count int32 values.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static void
group_complexities(const uint8_t *bits, Py_ssize_t first, Py_ssize_t lanes, Py_ssize_t m,
                   uint64_t *seq, uint64_t *conn, uint64_t *corr, int32_t *out)
{
    int32_t length[64];
    Py_ssize_t n, i;
    int b;
    const Py_ssize_t base = m;
    Py_ssize_t longest = 0;

    memset(seq, 0, (size_t)m * sizeof(uint64_t));
    for (b = 0; b < lanes; b++) {
        const uint8_t *row = bits + (first + b) * m;
        for (n = 0; n < m; n++)
            seq[n] |= (uint64_t)(row[n] & 1u) << b;
    }
    memset(conn, 0, (size_t)(m + 2) * sizeof(uint64_t));
    memset(corr, 0, (size_t)(2 * m + 3) * sizeof(uint64_t));
    conn[0] = ~(uint64_t)0;
    corr[base + 1] = ~(uint64_t)0; /* at N = 0: B = 1, m' = -1 */
    memset(length, 0, sizeof(length));

    for (n = 0; n < m; n++) {
        Py_ssize_t span = longest + 1;
        uint64_t discrepancy = 0, may_grow = 0, grow;
        uint64_t *c, *bb;
        for (i = 0; i < span; i++)
            discrepancy ^= conn[i] & seq[n - i];
        for (b = 0; b < 64; b++)
            may_grow |= (uint64_t)(length[b] <= n / 2) << b;
        grow = discrepancy & may_grow;
        if (grow) {
            uint64_t rest = grow;
            while (rest) {
                b = __builtin_ctzll(rest);
                length[b] = (int32_t)(n + 1 - length[b]);
                if (length[b] > longest)
                    longest = length[b];
                rest &= rest - 1;
            }
        }
        span = longest + 1;
        c = conn;
        bb = corr + (base - n);
        for (i = 0; i < span; i++) {
            uint64_t ci = c[i], bi = bb[i];
            c[i] = ci ^ (bi & discrepancy);     /* C <- C + x^{N-m'}B where the discrepancy is 1 */
            bb[i] = bi ^ ((ci ^ bi) & grow);    /* B <- old C where the complexity grows */
        }
    }
    for (b = 0; b < lanes; b++)
        out[first + b] = length[b];
}

static PyObject *
linear_complexities(PyObject *self, PyObject *args)
{
    Py_buffer blocks, out;
    Py_ssize_t count, m, first;
    uint64_t *work;
    (void)self;

    if (!PyArg_ParseTuple(args, "y*nnw*", &blocks, &count, &m, &out))
        return NULL;
    if (count < 0 || m < 1 || blocks.len != count * m || out.len != count * (Py_ssize_t)sizeof(int32_t)) {
        PyBuffer_Release(&blocks);
        PyBuffer_Release(&out);
        PyErr_SetString(PyExc_ValueError, "linear_complexities: blocks must hold count*m bytes and out count int32 values");
        return NULL;
    }
    work = (uint64_t *)malloc((size_t)(4 * m + 5) * sizeof(uint64_t));
    if (work == NULL) {
        PyBuffer_Release(&blocks);
        PyBuffer_Release(&out);
        return PyErr_NoMemory();
    }
    Py_BEGIN_ALLOW_THREADS
    for (first = 0; first < count; first += 64) {
        Py_ssize_t lanes = count - first < 64 ? count - first : 64;
        group_complexities((const uint8_t *)blocks.buf, first, lanes, m, work, work + m, work + 2 * m + 2, (int32_t *)out.buf);
    }
    Py_END_ALLOW_THREADS
    free(work);
    PyBuffer_Release(&blocks);
    PyBuffer_Release(&out);
    Py_RETURN_NONE;
}

static PyMethodDef methods[] = {
    {"linear_complexities", linear_complexities, METH_VARARGS,
     "linear_complexities(blocks, count, m, out): Berlekamp-Massey linear complexity of count m-bit blocks into out (int32)."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "_berlekamp_massey",
    "Compiled Berlekamp-Massey for the linear complexity test (optional; linear_complexity.py falls back to numpy).", -1, methods,
};

PyMODINIT_FUNC
PyInit__berlekamp_massey(void)
{
    return PyModule_Create(&module);
}
