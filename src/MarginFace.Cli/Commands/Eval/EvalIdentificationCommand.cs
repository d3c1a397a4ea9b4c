using System.CommandLine;
using MarginFace.Evaluation;
using MarginFace.Visualization;

namespace MarginFace.Cli.Commands.Eval;

/// <summary><c>marginface eval identification</c>: rank probe embeddings against a gallery of embeddings (rank-1, rank-5, CMC, open-set rejection).</summary>
internal static class EvalIdentificationCommand
{
    public static Command Create()
    {
        var embeddings = new Option<string?>("--embeddings") { Description = "JSON Lines embeddings file; an image's identity is its parent folder's name" };
        var split = new Option<int?>("--split") { Description = "with --embeddings: the first K images of each identity (natural file-name order) are the gallery, the rest probes" };
        var gallery = new Option<string?>("--gallery") { Description = "embeddings file of the gallery (instead of --embeddings and --split)" };
        var probe = new Option<string?>("--probe") { Description = "embeddings file of the probes; probes of identities not in the gallery are unknown people" };
        var template = new Option<string>("--template") { Description = "mean (cosine to the mean of an identity's normalised gallery embeddings) or nearest (best gallery image)", DefaultValueFactory = _ => "mean" };
        template.AcceptOnlyFromAmong("mean", "nearest");
        var threshold = new Option<double?>("--threshold") { Description = "open set: a probe whose best cosine is below this is rejected as unknown" };
        var output = new Option<string?>("--out") { Description = "directory for report.json and cmc.png" };
        var command = new Command("identification", "Identification protocol: rank probe images against a gallery; rank-1, rank-5, CMC, rejection of unknown people")
        {
            embeddings, split, gallery, probe, template, threshold, output,
        };
        command.SetAction(parse =>
        {
            var embeddingsPath = parse.GetValue(embeddings);
            var galleryPath = parse.GetValue(gallery);
            var probePath = parse.GetValue(probe);
            IReadOnlyList<ImageEmbedding> galleryRecords, probeRecords;
            string description;
            if (embeddingsPath is not null && galleryPath is null && probePath is null)
            {
                if (parse.GetValue(split) is not int k) throw new MarginFaceException("--embeddings needs --split K (gallery images per identity)");
                if (k <= 0) throw new MarginFaceException($"--split must be a positive number of gallery images per identity, got {k}");
                (galleryRecords, probeRecords) = IdentificationProtocol.Split(EmbeddingsFile.Read(embeddingsPath), k);
                if (probeRecords.Count == 0) throw new MarginFaceException($"{embeddingsPath}: no probes, every identity has at most {k} images (--split {k})");
                description = $"{Path.GetFileName(embeddingsPath)}, split {k}";
            }
            else if (embeddingsPath is null && galleryPath is not null && probePath is not null)
            {
                if (parse.GetValue(split) is not null) throw new MarginFaceException("--split applies to --embeddings, not to --gallery and --probe");
                galleryRecords = EmbeddingsFile.Read(galleryPath);
                probeRecords = EmbeddingsFile.Read(probePath);
                description = $"{Path.GetFileName(galleryPath)} against {Path.GetFileName(probePath)}";
            }
            else throw new MarginFaceException("give either --embeddings FILE --split K, or --gallery FILE and --probe FILE");
            if (parse.GetValue(threshold) is double t && !double.IsFinite(t)) throw new MarginFaceException($"--threshold must be a finite number, got {t}");
            var kind = parse.GetValue(template) == "nearest" ? GalleryTemplate.Nearest : GalleryTemplate.Mean;
            var result = IdentificationProtocol.Evaluate(galleryRecords, probeRecords, kind, parse.GetValue(threshold));
            System.Console.WriteLine($"identification: {description}");
            System.Console.Write(result.ToTable());
            if (parse.GetValue(output) is string outDir)
            {
                result.Save(Path.Combine(outDir, "report.json"));
                CmcPlot.Save(Path.Combine(outDir, "cmc.png"), result, $"CMC, {description}");
                System.Console.WriteLine($"wrote {Path.Combine(outDir, "report.json")} and {Path.Combine(outDir, "cmc.png")}");
            }
            return 0;
        });
        return command;
    }
}
