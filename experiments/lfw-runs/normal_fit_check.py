"""Diagnostic (not a protocol result) of the v12 and v13 threshold rules on kept nine-folds-rule runs without unseen scores.

For test fold k of RUN (folds 1..K kept), 52 same-person pairs are drawn (100 draws) from the test pairs of fold
j = k mod K + 1 as scored by fold j's own model (people that model never saw, standing in for LFW's 52 unseen people);
with the other folds' different-person pairs of fold k's model they choose the threshold by v12's rule (best balanced
accuracy of the scores) and by v13's (equal density of two normal fits); the mean accuracy on fold k is printed.
Usage: python3 experiments/lfw-runs/normal_fit_check.py experiments/lfw-runs/v11 7
"""
import sys, random, math, statistics as st

def load(pairs):
    idx = {}
    for j, l in enumerate(open(pairs).read().split('\n')[1:]):
        t = l.split()
        if not t: continue
        key = (t[0], int(t[1]), t[0], int(t[2])) if len(t) == 3 else (t[0], int(t[1]), t[2], int(t[3]))
        idx[key] = (j // 600, len(t) == 3)
    return idx

def best(gen, imp):
    pts = sorted([(s, 1) for s in gen] + [(s, 0) for s in imp])
    ng, ni = len(gen), len(imp)
    tp, tn = ng, 0
    bestv, bt = 0.5, pts[0][0] - 1
    for i, (s, g) in enumerate(pts):
        if g: tp -= 1
        else: tn += 1
        if i + 1 < len(pts) and pts[i + 1][0] == s: continue
        v = (tp / ng + tn / ni) / 2
        if v > bestv + 1e-12:
            bestv, bt = v, ((s + pts[i + 1][0]) / 2 if i + 1 < len(pts) else s + 1)
    return bt

def normal(g, d):
    ms, ss, md, sd = st.mean(g), st.pstdev(g), st.mean(d), st.pstdev(d)
    F = lambda t: (t - ms) ** 2 / ss ** 2 - (t - md) ** 2 / sd ** 2 - 2 * math.log(sd / ss)
    lo, hi = md, ms
    for _ in range(100):
        m = (lo + hi) / 2
        if F(m) > 0: lo = m
        else: hi = m
    return (lo + hi) / 2

run, K = sys.argv[1], int(sys.argv[2])
idx = load('../shared/data/lfw/pairs.txt')
S = {}
for k in range(1, K + 1):
    for l in open(f'{run}/fold-{k}/scores.tsv').read().split('\n')[1:]:
        t = l.split('\t')
        if len(t) < 5: continue
        f, g = idx[(t[0], int(t[1]), t[2], int(t[3]))]
        S.setdefault(k, {}).setdefault(f, []).append((float(t[4]), g))
random.seed(0)
N, B = [], []
for k in range(1, K + 1):
    j = k % K + 1
    tg = [s for s, g in S[k][k - 1] if g]; ti = [s for s, g in S[k][k - 1] if not g]
    oi = [s for f in S[k] if f != k - 1 for s, g in S[k][f] if not g]
    pool = [s for s, g in S[j][j - 1] if g]
    acc = lambda t: (sum(s > t for s in tg) + sum(s <= t for s in ti)) / 600
    a = sum(acc(normal(random.sample(pool, 52), oi)) for r in range(100)) / 100
    b = sum(acc(best(random.sample(pool, 52), oi)) for r in range(100)) / 100
    N.append(a); B.append(b)
    print(k, j, 'v13 normal fit', round(100 * a, 2), 'v12 best', round(100 * b, 2))
print('mean: v13 normal fit', round(100 * st.mean(N), 2), 'v12 best', round(100 * st.mean(B), 2))
