#!/usr/bin/env python3
"""Same-person and different-person score distributions of an `eval lfw-protocol` run, split into the test fold's
pairs (people the fold's model never saw) and the other folds' pairs (the people it was trained on).

    python3 experiments/lfw-runs/score_shift.py experiments/lfw-runs/v11 ../shared/data/lfw/pairs.txt

Standard library only; reads each RUN/fold-k/scores.tsv (the scores of all pairs by fold k's model)."""
import csv, glob, os, re, statistics, sys

if len(sys.argv) != 3:
    sys.exit("usage: score_shift.py RUN_DIR pairs.txt")
run, pairs_path = sys.argv[1], sys.argv[2]
lines = [l.split() for l in open(pairs_path).read().splitlines()]
folds, per_fold = (int(x) for x in lines[0])
fold_of = {}
for i, l in enumerate(l for l in lines[1:] if l):
    key = (l[0], int(l[1]), l[0], int(l[2])) if len(l) == 3 else (l[0], int(l[1]), l[2], int(l[3]))
    fold_of[key] = (i // (2 * per_fold) + 1, len(l) == 3)

def show(v):
    return f"{statistics.mean(v):6.3f} ± {statistics.stdev(v):.3f}"

print("fold  same person: test fold   other folds   | different people: test fold   other folds")
for d in sorted(glob.glob(os.path.join(run, "fold-*")), key=lambda p: int(re.search(r"fold-(\d+)$", p).group(1))):
    k = int(re.search(r"fold-(\d+)$", d).group(1))
    groups = {(t, s): [] for t in (True, False) for s in (True, False)}
    with open(os.path.join(d, "scores.tsv")) as f:
        for r in csv.DictReader(f, delimiter="\t"):
            fold, same = fold_of[(r["name1"], int(r["n1"]), r["name2"], int(r["n2"]))]
            groups[(fold == k, same)].append(float(r["score"]))
    print(f"{k:4}  {show(groups[(True, True)]):>22}  {show(groups[(False, True)])}   | "
          f"{show(groups[(True, False)]):>25}  {show(groups[(False, False)])}")
