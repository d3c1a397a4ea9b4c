"""v14's scores: within-class covariance normalisation (WCCN; Hatch, Kajarekar & Stolcke, 2006) of one LFW-protocol fold's
embeddings, fitted on that fold's training people only, then cosine. Declared in docs/evaluation.md before fold 2's model existed.

x: the flip-fused, L2-normalised embedding of an image by fold k's model (`marginface embed DIR --model fold-k/face.model --flip`);
mu: the mean x over every image of the people in fold-k/include.txt (the people fold k trained on);
S_w = (1/N) sum_p sum_{i in p} (x_i - mu_p)(x_i - mu_p)^T over those people with two or more images (N their images);
score(a, b) = cos(W (x_a - mu), W (x_b - mu)), W = S_w^(-1/2). Nothing of fold k's pairs is used.
Writes OUT/fold-k/scores.tsv and unseen-scores.tsv (the pairs of RUN/fold-k's files, in their order) and copies result.json,
so that `marginface eval lfw-rescore OUT --threshold RULE` judges them. Checks first that plain cosines reproduce RUN's scores.
Usage: python3 experiments/lfw-runs/wccn_scores.py EMBEDDINGS.jsonl RUN FOLD OUT    (needs numpy)
"""
import json, os, shutil, sys
import numpy as np

emb_path, run, fold, out = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
src = os.path.join(run, f"fold-{fold}")
vectors = {}
for line in open(emb_path):
    o = json.loads(line)
    vectors[o["image"].replace("\\", "/").split("/")[-1]] = np.array(o["embedding"], dtype=np.float64)
names = sorted(vectors)
X = np.stack([vectors[n] for n in names])
X /= np.linalg.norm(X, axis=1, keepdims=True)
row = {n: i for i, n in enumerate(names)}
person = np.array([n.rsplit("_", 1)[0] for n in names])

def image(name, number): return f"{name}_{int(number):04d}.jpg"

def read_scores(path):
    lines = [l.split("\t") for l in open(path).read().split("\n")[1:] if l.strip()]
    return [(image(f[0], f[1]), image(f[2], f[3]), f[:4], float(f[4])) for f in lines]

def cosine(Z, a, b):
    u, v = Z[row[a]], Z[row[b]]
    return float(u @ v / (np.linalg.norm(u) * np.linalg.norm(v)))

pairs = read_scores(os.path.join(src, "scores.tsv"))
unseen = read_scores(os.path.join(src, "unseen-scores.tsv"))
worst = max(abs(cosine(X, a, b) - s) for a, b, _, s in pairs + unseen)
if worst > 1e-6: sys.exit(f"{emb_path}: cosines differ from {src}'s kept scores by {worst:.2e}; not that fold's model")

trained = set(open(os.path.join(src, "include.txt")).read().split())
in_training = np.isin(person, list(trained))
mu = X[in_training].mean(axis=0)
residuals = []
for p in sorted(set(person[in_training])):
    rows = X[person == p]
    if len(rows) >= 2: residuals.append(rows - rows.mean(axis=0))
R = np.concatenate(residuals)
S_w = R.T @ R / len(R)
eigenvalues, U = np.linalg.eigh(S_w)
W = U @ np.diag(eigenvalues ** -0.5) @ U.T
Z = (X - mu) @ W
print(f"fold {fold}: {in_training.sum()} training images of {len(trained)} people, S_w from {len(R)} images of {len(residuals)} people, "
      f"eigenvalues {eigenvalues.min():.2e}..{eigenvalues.max():.2e}; kept cosines reproduced to {worst:.1e}")

dst = os.path.join(out, f"fold-{fold}")
os.makedirs(dst, exist_ok=True)
for name, rows in (("scores.tsv", pairs), ("unseen-scores.tsv", unseen)):
    with open(os.path.join(dst, name), "w") as f:
        f.write("name1\tn1\tname2\tn2\tscore\n")
        for a, b, fields, _ in rows: f.write("\t".join(fields) + f"\t{cosine(Z, a, b)!r}\n")
shutil.copy(os.path.join(src, "result.json"), os.path.join(dst, "result.json"))
