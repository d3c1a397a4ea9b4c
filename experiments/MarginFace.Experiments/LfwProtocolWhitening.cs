using MarginFace.Evaluation;
using MarginFace.FaceModels;
using static TorchSharp.torch;

namespace MarginFace.Experiments;

/// <summary>
/// Within-class whitening of a finished <see cref="LfwProtocol"/> run's folds: for test fold k, fold k's own model embeds every image
/// of the people it trained on (<c>fold-k/include.txt</c>), the pairs' images and the unseen people's; <see cref="WithinClassWhitening"/>
/// is fitted on the training people's embeddings alone, and each pair scores cos(W(x_a − μ), W(x_b − μ)). Nothing of fold k is fitted
/// on. The plain cosines must reproduce the fold's kept <c>scores.tsv</c> (the same model, crop and flip) to
/// <see cref="ReproductionTolerance"/>. Writes <c>OUT/fold-k/scores.tsv</c>, <c>unseen-scores.tsv</c> (when the run kept one) and
/// <c>result.json</c> under the run's own threshold rule (<see cref="LfwProtocolFusion.Rescore"/> applies the others), and nothing
/// when a fold fails.
/// </summary>
public static class LfwProtocolWhitening
{
    public const double ReproductionTolerance = 1e-6;

    /// <summary>
    /// Whitens test folds <paramref name="testFolds"/> (1-based; null: every fold <paramref name="runDirectory"/> finished), whose
    /// model files must still be there. <paramref name="imagesDirectory"/> is the run's <c>--images</c>, <paramref name="flip"/> its <c>--flip</c>.
    /// </summary>
    public static LfwProtocolReport Score(LfwPairs pairs, string imagesDirectory, string runDirectory, IReadOnlyList<int>? testFolds,
        string outputDirectory, Device device, bool flip, int workers = 1, IProgress<string>? log = null)
    {
        ArgumentNullException.ThrowIfNull(pairs);
        var folds = LfwProtocolFusion.FoldsOfRuns(pairs, [runDirectory], testFolds, outputDirectory);
        if (!Directory.Exists(imagesDirectory)) throw new MarginFaceException($"{imagesDirectory}: images directory not found");

        var done = new List<(LfwProtocolFold Result, double[] Scores, UnseenPeople? Unseen, double[]? UnseenScores)>();
        foreach (var fold in folds) done.Add(Fold(pairs, imagesDirectory, LfwProtocol.FoldDirectory(runDirectory, fold), fold, device, flip, workers, log));
        return LfwProtocolFusion.WriteFolds(pairs, outputDirectory, done);
    }

    /// <summary>The images <c>name/name_nnnn.jpg</c> of <paramref name="people"/> under <paramref name="imagesDirectory"/>, by person then number.</summary>
    public static IReadOnlyList<(string Image, string Person)> ImagesOfPeople(string imagesDirectory, IEnumerable<string> people)
    {
        var images = new List<(string, string)>();
        foreach (var name in people)
        {
            var folder = Path.Combine(imagesDirectory, name);
            if (!Directory.Exists(folder)) throw new MarginFaceException($"{folder}: not found; the run trained on {name}");
            images.AddRange(LfwPairs.ImageNumbers(folder).Select(n => (LfwPairs.ImagePath(name, n), name)));
        }
        return images;
    }

    private static (LfwProtocolFold, double[], UnseenPeople?, double[]?) Fold(LfwPairs pairs, string imagesDirectory, string directory, int fold,
        Device device, bool flip, int workers, IProgress<string>? log)
    {
        var resultPath = Path.Combine(directory, LfwProtocol.ResultFile);
        if (!File.Exists(resultPath)) throw new MarginFaceException($"{resultPath}: not found; the run has not finished fold {fold}");
        var member = LfwProtocol.ReadResult(resultPath);
        if (member.Fold != fold) throw new MarginFaceException($"{resultPath}: the result of fold {member.Fold}, expected fold {fold}");
        var modelPath = Path.Combine(directory, "face.model");
        if (!File.Exists(modelPath)) throw new MarginFaceException($"{modelPath}: not found; whitening needs the fold's model (kept scores alone are not enough)");
        var includePath = Path.Combine(directory, LfwProtocol.IncludeFile);
        if (!File.Exists(includePath)) throw new MarginFaceException($"{includePath}: not found; it names the people the fold trained on");
        var kept = ScoresFile.Read(Path.Combine(directory, "scores.tsv"), pairs);
        var unseenPath = Path.Combine(directory, LfwProtocol.UnseenScoresFile);
        IReadOnlyList<LfwPair>? unseenPairs = null;
        double[]? unseenKept = null;
        if (File.Exists(unseenPath)) (unseenPairs, unseenKept) = ScoresFile.ReadSamePairs(unseenPath);
        if (LfwProtocol.UsesUnseenPeople(member.Rule) && unseenPairs is null)
            throw new MarginFaceException($"{unseenPath}: not found; the fold chose its threshold from unseen people");

        var people = File.ReadAllLines(includePath).Select(l => l.Trim()).Where(l => l.Length > 0).ToList();
        var training = ImagesOfPeople(imagesDirectory, people);
        var images = training.Select(t => t.Image).Concat(pairs.Images()).Concat(unseenPairs is null ? [] : LfwPairs.ImagesOf(unseenPairs))
            .Distinct(StringComparer.Ordinal).ToList();
        log?.Report($"fold {fold}: embedding {images.Count} images ({training.Count} of the {people.Count} people trained on) with {modelPath}");
        var unit = new Dictionary<string, double[]>(StringComparer.Ordinal);
        using (var model = FaceModelFile.Load(modelPath))
        {
            model.Module.eval();
            var embeddings = new ImageFolderEmbeddings(imagesDirectory, model.Module, model.Preprocessing, device, flip, workers: workers).Embed(images);
            for (int i = 0; i < images.Count; i++) unit[images[i]] = CosineScores.Normalise(embeddings[i], images[i]);
        }

        double worst = 0;
        void Check(IReadOnlyList<LfwPair> list, double[] scores)
        {
            for (int p = 0; p < list.Count; p++)
                worst = Math.Max(worst, Math.Abs(CosineScores.Dot(unit[list[p].Image1], unit[list[p].Image2]) - scores[p]));
        }
        Check(pairs.Pairs, kept);
        if (unseenPairs is not null) Check(unseenPairs, unseenKept!);
        if (!(worst <= ReproductionTolerance))
            throw new MarginFaceException($"{directory}: the model's cosines differ from its kept scores by up to {worst:G3}; another model, crop or --flip than the run's");

        var whitening = WithinClassWhitening.Fit(training.Select(t => unit[t.Image]).ToList(), training.Select(t => t.Person).ToList());
        var whitened = new Dictionary<string, double[]>(StringComparer.Ordinal);
        double Cosine(LfwPair pair)
        {
            double[] Z(string image)
            {
                if (!whitened.TryGetValue(image, out var z))
                {
                    whitened[image] = z = CosineScores.Normalise(whitening.Apply(unit[image]), image);
                }
                return z;
            }
            return CosineScores.Dot(Z(pair.Image1), Z(pair.Image2));
        }
        var scores = pairs.Pairs.Select(Cosine).ToArray();
        var unseen = unseenPairs is null ? null : UnseenPeople.FromPairs(unseenPairs);
        var unseenScores = unseenPairs?.Select(Cosine).ToArray();
        log?.Report($"fold {fold}: whitening from {whitening.WithinClassVectors} images of {whitening.WithinClassClasses} people, " +
            $"within-class variances {whitening.Eigenvalues[0]:G3} to {whitening.Eigenvalues[^1]:G3}; kept cosines reproduced to {worst:G2}");
        var result = LfwProtocol.Score(pairs, scores, fold, member.Rule, LfwProtocol.UsesUnseenPeople(member.Rule) ? unseen : null,
            LfwProtocol.UsesUnseenPeople(member.Rule) ? unseenScores : null) with
        {
            Identities = member.Identities, Images = member.Images, Epochs = member.Epochs, TrainAccuracy = member.TrainAccuracy, Loss = member.Loss,
            TrainSeconds = member.TrainSeconds, ImagesPerSecond = member.ImagesPerSecond, ScoreSeconds = member.ScoreSeconds, ModelId = member.ModelId,
            Members = [directory],
            Scoring = LfwPairScoring.Wccn,
        };
        return (result, scores, unseen, unseenScores);
    }
}
