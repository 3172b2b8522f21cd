#!/usr/bin/python3
"""Write reference draws of numpy's legacy RandomState for test_numpy_random.cpp.

Usage: numpy_random_reference.py OUTPUT_FILE

The values come from the numpy installed next to this interpreter (Debian's numpy 1.24 for
/usr/bin/python3). Before writing, the script checks its own way of reading raw MT19937
words three ways (randint with dtype=uint32, bytes(), and a pure-Python MT19937 replayed
from get_state()), so a numpy that drew differently would fail here rather than silently
produce wrong references.

File format (text, whitespace separated):
    dnmf-numpy-random-reference 1 numpy=<version>
    <name> <type> <count>
    <count values>
    ...
    end
Types: u32 and i64 are decimal integers; f64 is the IEEE-754 bit pattern of a double as 16
hex digits, so the C++ side compares bit for bit.
"""

import sys

import numpy as np

SEEDS = (0, 1, 42, 1900, 4294967295)
N_RAW = 2000
N_UNIFORM = 1000
N_NORMAL = 1001  # odd: the last value is the first half of a pair, the second stays cached
PERM_SIZES = (0, 1, 2, 5, 10, 33, 1000, 1025)  # 1025: the mask widens to 2047 at i = 1024
PERM_CHAIN = (20, 7)  # 20 consecutive permutation(7), like one CD solver run
INTERVAL_MAXES = (1, 6, 1000, 2**31, 2**32 - 1, 2**32, 2**40 + 5, 2**64 - 1)
N_INTERVAL = 50
SKLEARN_SHAPE = (5, 7, 11)  # (k, p, n): H is k x p, then W is n x k


class Writer:
    def __init__(self, stream):
        self.stream = stream

    def record(self, name, kind, values):
        values = list(values)
        self.stream.write(f"{name} {kind} {len(values)}\n")
        if kind == "f64":
            arr = np.asarray(values, dtype=np.float64)
            tokens = [f"{int(v):016x}" for v in arr.view(np.uint64)]
        else:
            tokens = [str(int(v)) for v in values]
        for start in range(0, len(tokens), 8):
            self.stream.write(" ".join(tokens[start:start + 8]) + "\n")

    def state(self, name, rs):
        kind, key, pos, has_gauss, gauss = rs.get_state()
        assert kind == "MT19937"
        self.record(name + ".key", "u32", key)
        self.record(name + ".pos", "i64", [pos])
        self.record(name + ".has_gauss", "i64", [has_gauss])
        self.record(name + ".gauss", "f64", [gauss])


def replay_mt19937(key, pos, count):
    """Pure-Python MT19937 continuing from a get_state() key/pos (independent cross-check)."""
    mt = [int(w) for w in key]
    out = []
    for _ in range(count):
        if pos >= 624:
            for i in range(624):
                y = (mt[i] & 0x80000000) | (mt[(i + 1) % 624] & 0x7FFFFFFF)
                mt[i] = mt[(i + 397) % 624] ^ (y >> 1) ^ (0x9908B0DF if y & 1 else 0)
            pos = 0
        y = mt[pos]
        pos += 1
        y ^= y >> 11
        y ^= (y << 7) & 0x9D2C5680
        y ^= (y << 15) & 0xEFC60000
        y ^= y >> 18
        out.append(y)
    return out


def raw_words(seed, count):
    """The first `count` raw 32-bit outputs, checked three independent ways."""
    rs = np.random.RandomState(seed)
    start = rs.get_state()
    words = rs.randint(0, 2**32, size=count, dtype=np.uint32)
    # One raw draw per value: the position advanced by exactly `count` words.
    assert rs.get_state()[2] == (start[2] + count - 1) % 624 + 1 or count == 0
    from_bytes = np.frombuffer(np.random.RandomState(seed).bytes(4 * count), dtype="<u4")
    assert np.array_equal(words, from_bytes), f"randint/bytes disagree for seed {seed}"
    replayed = replay_mt19937(start[1], start[2], count)
    assert [int(w) for w in words] == replayed, f"numpy/replay disagree for seed {seed}"
    return words


def write_seed(out, seed):
    p = f"s{seed}"
    out.record(p + ".raw", "u32", raw_words(seed, N_RAW))
    out.record(p + ".uniform", "f64", np.random.RandomState(seed).random_sample(N_UNIFORM))

    rs = np.random.RandomState(seed)
    out.record(p + ".normal", "f64", rs.standard_normal(N_NORMAL))
    out.state(p + ".normal.after", rs)  # cache is full here

    # The normal cache must survive a permutation in between.
    rs = np.random.RandomState(seed)
    out.record(p + ".inter.n1", "f64", rs.standard_normal(3))
    out.record(p + ".inter.perm", "i64", rs.permutation(7))
    out.record(p + ".inter.n2", "f64", rs.standard_normal(2))
    out.state(p + ".inter.after", rs)

    for k in PERM_SIZES:
        out.record(f"{p}.perm{k}", "i64", np.random.RandomState(seed).permutation(k))

    rs = np.random.RandomState(seed)
    calls, k = PERM_CHAIN
    out.record(p + ".perm_chain", "i64", np.concatenate([rs.permutation(k) for _ in range(calls)]))

    # randint(0, max + 1) in legacy mode is the same masked rejection as random_interval(max):
    # 32-bit draws below 2**32, 64-bit draws (high word first) above, a plain draw for all-ones.
    for m in INTERVAL_MAXES:
        rs = np.random.RandomState(seed)
        values = rs.randint(0, m + 1, size=N_INTERVAL, dtype=np.uint64)
        out.record(f"{p}.interval{m}", "u32" if m < 2**32 else "u64", values)

    # sklearn's init='random': H ~ (k, p) first, then W ~ (n, k), both row-major.
    k, n_features, n_samples = SKLEARN_SHAPE
    rs = np.random.RandomState(seed)
    out.record(p + ".sklearn.H", "f64", rs.standard_normal(size=(k, n_features)).ravel())
    out.record(p + ".sklearn.W", "f64", rs.standard_normal(size=(n_samples, k)).ravel())

    # A state handed over mid-stream (cache full), and what numpy draws after it.
    rs = np.random.RandomState(seed)
    rs.standard_normal(627)
    out.state(p + ".resume", rs)
    out.record(p + ".resume.normal", "f64", rs.standard_normal(5))
    out.record(p + ".resume.raw", "u32", rs.randint(0, 2**32, size=5, dtype=np.uint32))


def main(argv):
    if len(argv) != 2:
        sys.stderr.write(f"usage: {argv[0]} OUTPUT_FILE\n")
        return 2
    with open(argv[1], "w", encoding="ascii") as stream:
        stream.write(f"dnmf-numpy-random-reference 1 numpy={np.__version__}\n")
        out = Writer(stream)
        out.record("seeds", "u32", SEEDS)
        out.record("perm_sizes", "i64", PERM_SIZES)
        out.record("interval_maxes", "u64", INTERVAL_MAXES)
        out.record("sklearn_shape", "i64", SKLEARN_SHAPE)
        for seed in SEEDS:
            write_seed(out, seed)
        stream.write("end\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
