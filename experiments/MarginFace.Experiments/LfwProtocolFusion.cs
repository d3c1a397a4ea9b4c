using System.Text.Json;
using MarginFace.Evaluation;
using MarginFace.Runtime;

namespace MarginFace.Experiments;

/// <summary>
/// An ensemble of finished <see cref="LfwProtocol"/> runs, by score fusion: for test fold k, the score of a pair is the mean of the
/// runs' fold-k cosines, s = (1/R) Σ_r cos_r (the cosine of the concatenated unit embeddings, each weighted 1/√R), and the threshold is
/// chosen as the protocol chooses it, on the other folds' pairs. Every run's fold-k model was trained without fold k's people, so the
/// ensemble uses no outside data either. When every run held out the same threshold fold, its pairs alone choose the threshold;
/// when every run chose it from unseen people the same way (a normal fit or not), their fused same-person scores
/// (<c>unseen-scores.tsv</c>, the mean as above) and the other folds' different-person pairs do (<see cref="LfwProtocol"/>); when
/// the runs disagree, all other folds' pairs do; a <see cref="LfwThresholdRule"/> given overrides the runs' choice (the held-out fold's
/// rule only for runs that left that fold out of training). Writes
/// <c>OUT/fold-k/scores.tsv</c> and <c>result.json</c>, and nothing when a run is missing a fold or its scores are incomplete.
/// <see cref="Rescore"/> is the same over one run: another threshold rule applied to its kept scores.
/// </summary>
public static class LfwProtocolFusion
{
    /// <summary>
    /// Fuses test folds <paramref name="testFolds"/> (1-based; null: every fold all of <paramref name="runDirectories"/> have finished)
    /// of the runs in <paramref name="runDirectories"/> (the <c>--out</c> directories of <see cref="LfwProtocol.Run"/>).
    /// </summary>
    /// <remarks>With <paramref name="rule"/> the threshold is chosen by that rule whatever the runs chose.</remarks>
    public static LfwProtocolReport Fuse(LfwPairs pairs, IReadOnlyList<string> runDirectories, IReadOnlyList<int>? testFolds, string outputDirectory,
        LfwThresholdRule? rule = null)
    {
        ArgumentNullException.ThrowIfNull(runDirectories);
        if (runDirectories.Count < 2) throw new MarginFaceException($"score fusion needs at least two runs, got {runDirectories.Count}");
        return Combine(pairs, runDirectories, testFolds, outputDirectory, rule);
    }

    /// <summary>
    /// The verdicts of one finished run's test folds (as <see cref="Fuse"/>: null folds are those it finished) under threshold rule
    /// <paramref name="rule"/>, from its kept <c>scores.tsv</c> and <c>unseen-scores.tsv</c> alone: no model is loaded, no image read.
    /// </summary>
    public static LfwProtocolReport Rescore(LfwPairs pairs, string runDirectory, IReadOnlyList<int>? testFolds, string outputDirectory, LfwThresholdRule rule)
    {
        ArgumentNullException.ThrowIfNull(runDirectory);
        return Combine(pairs, [runDirectory], testFolds, outputDirectory, rule);
    }

    private static LfwProtocolReport Combine(LfwPairs pairs, IReadOnlyList<string> runDirectories, IReadOnlyList<int>? testFolds, string outputDirectory,
        LfwThresholdRule? rule)
    {
        var folds = FoldsOfRuns(pairs, runDirectories, testFolds, outputDirectory);

        var fused = new List<(LfwProtocolFold Result, double[] Scores, UnseenPeople? Unseen, double[]? UnseenScores)>();
        foreach (var fold in folds)
        {
            var members = new List<LfwProtocolFold>();
            var sum = new double[pairs.Pairs.Count];
            foreach (var run in runDirectories)
            {
                var directory = LfwProtocol.FoldDirectory(run, fold);
                var resultPath = Path.Combine(directory, LfwProtocol.ResultFile);
                if (!File.Exists(resultPath)) throw new MarginFaceException($"{resultPath}: not found; that run has not finished fold {fold}");
                var member = LfwProtocol.ReadResult(resultPath);
                if (member.Fold != fold) throw new MarginFaceException($"{resultPath}: the result of fold {member.Fold}, expected fold {fold}");
                members.Add(member);
                var scores = ScoresFile.Read(Path.Combine(directory, "scores.tsv"), pairs);
                for (int p = 0; p < sum.Length; p++) sum[p] += scores[p];
            }
            var mean = sum.Select(s => s / runDirectories.Count).ToArray();
            var chosen = rule ?? (members.Select(m => m.Rule).Distinct().Count() == 1 ? members[0].Rule : LfwThresholdRule.OtherFolds);
            for (int r = 0; r < members.Count && chosen == LfwThresholdRule.HeldOutFold; r++)
                if (members[r].Rule != LfwThresholdRule.HeldOutFold)
                    throw new MarginFaceException($"{LfwProtocol.FoldDirectory(runDirectories[r], fold)}: trained on the people of fold " +
                        $"{LfwProtocol.ThresholdFold(pairs, fold)}, so that fold's pairs cannot choose its threshold");
            var fromUnseen = LfwProtocol.UsesUnseenPeople(chosen);
            UnseenPeople? unseen = null;
            double[]? unseenMean = null;
            if (fromUnseen)
            {
                foreach (var run in runDirectories)
                {
                    var path = Path.Combine(LfwProtocol.FoldDirectory(run, fold), LfwProtocol.UnseenScoresFile);
                    if (!File.Exists(path)) throw new MarginFaceException($"{path}: not found; the run scored no unseen people (run it with --unseen-threshold)");
                }
                var firstPath = Path.Combine(LfwProtocol.FoldDirectory(runDirectories[0], fold), LfwProtocol.UnseenScoresFile);
                var (unseenPairs, first) = ScoresFile.ReadSamePairs(firstPath);
                unseenMean = first;
                foreach (var run in runDirectories.Skip(1))
                {
                    var more = ScoresFile.Read(Path.Combine(LfwProtocol.FoldDirectory(run, fold), LfwProtocol.UnseenScoresFile), unseenPairs, firstPath);
                    for (int p = 0; p < more.Length; p++) unseenMean[p] += more[p];
                }
                for (int p = 0; p < unseenMean.Length; p++) unseenMean[p] /= runDirectories.Count;
                unseen = UnseenPeople.FromPairs(unseenPairs);
            }
            var trainSeconds = members.Sum(m => m.TrainSeconds);
            var result = LfwProtocol.Score(pairs, mean, fold, chosen, unseen, unseenMean) with
            {
                Identities = members.Max(m => m.Identities),
                Images = members.Max(m => m.Images),
                Epochs = members.Sum(m => m.Epochs),
                TrainSeconds = trainSeconds,
                ImagesPerSecond = trainSeconds > 0 ? members.Sum(m => (double)m.Images * m.Epochs) / trainSeconds : 0,
                ScoreSeconds = members.Sum(m => m.ScoreSeconds),
                TrainAccuracy = members.Count == 1 ? members[0].TrainAccuracy : null,
                Loss = members.Count == 1 ? members[0].Loss : null,
                ModelId = members.Count == 1 ? members[0].ModelId : null,
                Members = runDirectories.Select(d => LfwProtocol.FoldDirectory(d, fold)).ToList(),
                Scoring = members.Select(m => m.Scoring).Distinct().Count() == 1 ? members[0].Scoring : LfwPairScoring.Mixed,
            };
            fused.Add((result, mean, unseen, unseenMean));
        }
        return WriteFolds(pairs, outputDirectory, fused);
    }

    /// <summary>
    /// The test folds to read from <paramref name="runDirectories"/> (the <c>--out</c> directories of finished runs) and write to
    /// <paramref name="outputDirectory"/>: <paramref name="testFolds"/>, or null for every fold all the runs have finished. A missing run,
    /// a run given twice, an output directory that is one of the runs, no finished fold or a fold outside the pairs file is an error.
    /// </summary>
    internal static IReadOnlyList<int> FoldsOfRuns(LfwPairs pairs, IReadOnlyList<string> runDirectories, IReadOnlyList<int>? testFolds, string outputDirectory)
    {
        static string Normal(string directory) => Path.TrimEndingDirectorySeparator(Path.GetFullPath(directory));
        var full = runDirectories.Select(Normal).ToList();
        var output = Normal(outputDirectory);
        for (int i = 0; i < full.Count; i++)
        {
            if (!Directory.Exists(full[i])) throw new MarginFaceException($"{runDirectories[i]}: no such run directory");
            var twice = full.FindIndex(i + 1, d => string.Equals(d, full[i], StringComparison.Ordinal));
            if (twice >= 0) throw new MarginFaceException($"{runDirectories[i]}: the run is given twice");
            if (string.Equals(full[i], output, StringComparison.Ordinal))
                throw new MarginFaceException($"{outputDirectory}: the output directory is {(full.Count == 1 ? "the run itself" : "one of the fused runs")}");
        }
        var folds = testFolds ?? Enumerable.Range(1, pairs.Folds)
            .Where(k => runDirectories.All(d => File.Exists(Path.Combine(LfwProtocol.FoldDirectory(d, k), LfwProtocol.ResultFile)))).ToList();
        if (folds.Count == 0) throw new MarginFaceException($"no fold is finished in all of {string.Join(", ", runDirectories)}");
        foreach (var fold in folds)
            if (fold < 1 || fold > pairs.Folds) throw new MarginFaceException($"fold {fold}: {pairs.Source} has folds 1 to {pairs.Folds}");
        return folds;
    }

    /// <summary>
    /// Writes each fold's <c>scores.tsv</c>, <c>unseen-scores.tsv</c> (when it has unseen people) and <c>result.json</c> under
    /// <paramref name="outputDirectory"/>, once every fold has been computed, and the report of them.
    /// </summary>
    internal static LfwProtocolReport WriteFolds(LfwPairs pairs, string outputDirectory,
        IReadOnlyList<(LfwProtocolFold Result, double[] Scores, UnseenPeople? Unseen, double[]? UnseenScores)> folds)
    {
        foreach (var (result, scores, unseen, unseenScores) in folds)
        {
            var directory = LfwProtocol.FoldDirectory(outputDirectory, result.Fold);
            Directory.CreateDirectory(directory);
            ScoresFile.Write(Path.Combine(directory, "scores.tsv"), pairs, scores);
            if (unseen is not null) ScoresFile.Write(Path.Combine(directory, LfwProtocol.UnseenScoresFile), unseen.Pairs, unseenScores!);
            AtomicFile.WriteAllText(Path.Combine(directory, LfwProtocol.ResultFile), JsonSerializer.Serialize(result, LfwProtocolReport.Json));
        }
        return new LfwProtocolReport(pairs.Source, folds.Select(f => f.Result).ToList(), Interrupted: false);
    }
}
