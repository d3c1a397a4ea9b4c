"""Feasibility check of the unseen-people threshold rule on kept lfw-protocol scores (a diagnostic, not a protocol result).

For each fold k of each run directory given (fold-k/scores.tsv): the threshold maximising the balanced accuracy
1/2 (TPR + TNR) over the other folds' different-person pairs and 140 same-person pairs drawn from fold k's own
(standing in for the 140 pairs of LFW's 52 people outside pairs.txt), averaged over 200 draws; beside it the
nine-folds rule (all other folds' pairs, same criterion).
Usage: python3 experiments/lfw-runs/unseen_rule_check.py RUN... (from the repository root, pairs at ../shared/data/lfw/pairs.txt)
"""
import sys, random

def load(pairs):
    idx = {}
    lines = open(pairs).read().split('\n')[1:]
    for j, l in enumerate(lines):
        t = l.split()
        if not t: continue
        key = (t[0], int(t[1]), t[0], int(t[2])) if len(t) == 3 else (t[0], int(t[1]), t[2], int(t[3]))
        idx[key] = (j // 600, len(t) == 3)
    return idx
pairs='../shared/data/lfw/pairs.txt'
idx=load(pairs)
def best(gen,imp):
    # balanced accuracy maximising threshold over midpoints
    pts=sorted([(s,1) for s in gen]+[(s,0) for s in imp])
    ng,ni=len(gen),len(imp)
    # threshold below everything: all same -> TPR 1, TNR 0
    tp=ng; tn=0; bestv=(tp/ng+tn/ni)/2; bt=pts[0][0]-1
    for i,(s,g) in enumerate(pts):
        if g: tp-=1
        else: tn+=1
        if i+1<len(pts) and pts[i+1][0]==s: continue
        v=(tp/ng+tn/ni)/2
        t=(s+pts[i+1][0])/2 if i+1<len(pts) else s+1
        if v>bestv: bestv=v; bt=t
    return bt
random.seed(0)
for run in sys.argv[1:]:
    tot=[];orig=[]
    for k in range(1,11):
        try: L=open(f'{run}/fold-{k}/scores.tsv').read().split('\n')[1:]
        except: continue
        S={}
        for l in L:
            t=l.split('\t')
            if len(t)<5: continue
            key=(t[0],int(t[1]),t[2],int(t[3]))
            if t[0]==t[2]: key=(t[0],int(t[1]),t[0],int(t[3]))
            f,g=idx[key]; S.setdefault(f,[]).append((float(t[4]),g))
        tg=[s for s,g in S[k-1] if g]; ti=[s for s,g in S[k-1] if not g]
        oi=[s for f in S if f!=k-1 for s,g in S[f] if not g]
        og=[s for f in S if f!=k-1 for s,g in S[f] if g]
        acc=lambda t:(sum(s>t for s in tg)+sum(s<=t for s in ti))/600
        orig.append(acc(best(og,oi)))
        accs=[]
        for r in range(200):
            smp=random.sample(tg,140)
            accs.append(acc(best(smp,oi)))
        tot.append(sum(accs)/len(accs))
        print(run,k,round(orig[-1]*100,2),round(tot[-1]*100,2))
    print(run,'mean folds rule',round(100*sum(orig)/len(orig),2),'sim',round(100*sum(tot)/len(tot),2))
