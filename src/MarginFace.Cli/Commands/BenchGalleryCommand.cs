using System.CommandLine;
using System.Globalization;
using MarginFace.Benchmarks;
using MarginFace.Galleries;

namespace MarginFace.Cli.Commands;

/// <summary>
/// <c>marginface bench gallery [--size 100000] [--ef 64,128,256]</c>: exact search against the HNSW index on random unit vectors
/// (<see cref="GalleryBenchmark"/>); <c>--store SPEC</c> instead times a gallery store end to end: enrolment throughput and
/// identification latency with the index warm (<see cref="GalleryStoreBenchmark"/>).
/// </summary>
internal static class BenchGalleryCommand
{
    public static Command Create()
    {
        var size = new Option<int>("--size") { Description = "embeddings in the gallery", DefaultValueFactory = _ => 100_000 };
        var dim = new Option<int>("--dim") { Description = "embedding size", DefaultValueFactory = _ => 512 };
        var queries = new Option<int>("--queries") { Description = "timed HNSW queries", DefaultValueFactory = _ => 1000 };
        var recall = new Option<int>("--recall-queries") { Description = "queries also searched exactly (exact latency and recall@1)", DefaultValueFactory = _ => 200 };
        var threads = new Option<int>("--threads") { Description = "threads that build the index", DefaultValueFactory = _ => 2 };
        var ef = new Option<string>("--ef") { Description = "comma-separated search expansions to time", DefaultValueFactory = _ => $"{HnswIndex.DefaultExpansionSearch}" };
        var noise = new Option<float>("--noise") { Description = "per-component noise of a query around its gallery vector (0.045: cosine ≈ 0.7 at 512-d)", DefaultValueFactory = _ => 0.045f };
        var queryNoise = new Option<float?>("--query-noise") { Description = "per-component noise of a query around its gallery vector when it differs from --noise (with --base, --noise makes the other people, --query-noise another photo of one)" };
        var fresh = new Option<bool>("--fresh-queries") { Description = "query with fresh random vectors instead of noisy copies of gallery vectors" };
        var exactOnly = new Option<bool>("--exact-only") { Description = "time exact search only" };
        var baseFile = new Option<string?>("--base") { Description = "JSON-lines embeddings (gallery export / import format): the gallery is these, replicated with --noise" };
        var store = new Option<string?>("--store") { Description = "time this (empty) gallery instead: " + Gallery.GalleryOptions.GalleryDescription };
        var bulk = new Option<int>("--bulk") { Description = "with --store: people loaded first, 1000 per transaction", DefaultValueFactory = _ => 10_000 };
        var single = new Option<int>("--single") { Description = "with --store: people then enrolled one transaction each", DefaultValueFactory = _ => 500 };
        var exact = Gallery.GalleryOptions.Exact();
        var approximate = new Option<bool>("--approximate") { Description = "with --store: search with the HNSW index at any size" };
        var connectivity = new Option<int>("--connectivity") { Description = "HNSW edges per node M", DefaultValueFactory = _ => HnswIndex.Connectivity };
        var expansionAdd = new Option<int>("--ef-add") { Description = "HNSW candidates kept while building", DefaultValueFactory = _ => HnswIndex.ExpansionAdd };
        var quantization = new Option<string>("--quantization") { Description = "how the index stores vectors: f32, bf16, f16 (the galleries' own) or i8", DefaultValueFactory = _ => "f16" };
        var indexFile = new Option<string?>("--index") { Description = "keep the built index in this file; a later run with the same --size, --dim, --threads and --base reopens it instead of building" };
        var followRounds = new Option<int>("--follow-rounds") { Description = "with --store: time the first search after each of this many enrolments by another instance, with the change log and without" };
        var checkpointRows = new Option<int>("--checkpoint-rows") { Description = "with --index: save the index being built every this many vectors (as FILE.building), so a stopped build goes on from there in a later run", DefaultValueFactory = _ => 100_000 };
        var command = new Command("gallery", "Time exact search against the HNSW index (recall@1, p50/p99, build, size), or a gallery store (--store)")
        {
            size, dim, queries, recall, threads, ef, noise, fresh, exactOnly, baseFile, store, bulk, single, exact, approximate, connectivity, expansionAdd, quantization, indexFile, queryNoise, checkpointRows, followRounds,
        };
        command.SetAction(parse =>
        {
            foreach (var (option, value) in new[] { ("--size", parse.GetValue(size)), ("--dim", parse.GetValue(dim)), ("--queries", parse.GetValue(queries)), ("--threads", parse.GetValue(threads)), ("--checkpoint-rows", parse.GetValue(checkpointRows)) })
                if (value < 1) throw new MarginFaceException($"{option} must be at least 1, got {value}");
            if (parse.GetValue(store) is { } spec)
            {
                GalleryStoreBenchmark.Run(spec, parse.GetValue(bulk), parse.GetValue(single), parse.GetValue(queries), parse.GetValue(dim),
                    parse.GetValue(exact) ? GallerySearchMode.Exact : parse.GetValue(approximate) ? GallerySearchMode.Approximate : GallerySearchMode.Auto, System.Console.WriteLine, parse.GetValue(followRounds));
                return ExitCodes.Success;
            }
            var expansions = parse.GetValue(ef)!.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
                .Select(s => int.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out var v) && v >= 1 ? v : throw new MarginFaceException($"--ef: '{s}' is not a positive whole number"))
                .ToArray();
            float[][]? bases = null;
            if (parse.GetValue(baseFile) is { } path)
            {
                bases = [.. GalleryImportFile.Read(path).SelectMany(g => g.Entries).Select(e => e.Embedding)];
                if (bases.Length == 0) throw new MarginFaceException($"{path}: no embeddings");
                if (bases[0].Length != parse.GetValue(dim)) throw new MarginFaceException($"{path}: embeddings of {bases[0].Length} values, --dim is {parse.GetValue(dim)}");
            }
            var result = GalleryBenchmark.Run(new GalleryBenchmarkOptions(parse.GetValue(size), parse.GetValue(dim), parse.GetValue(queries), parse.GetValue(recall),
                parse.GetValue(threads), expansions, parse.GetValue(noise), parse.GetValue(fresh), Base: bases, SkipHnsw: parse.GetValue(exactOnly),
                Connectivity: parse.GetValue(connectivity), ExpansionAdd: parse.GetValue(expansionAdd), Quantization: ParseQuantization(parse.GetValue(quantization)!),
                IndexFile: parse.GetValue(indexFile), QueryNoise: parse.GetValue(queryNoise), CheckpointRows: parse.GetValue(checkpointRows)), System.Console.WriteLine);
            System.Console.WriteLine($"peak RSS {result.PeakRssMb:0} MiB");
            return ExitCodes.Success;
        });
        return command;
    }

    private static Cloud.Unum.USearch.ScalarKind ParseQuantization(string value) => value switch
    {
        "f32" => Cloud.Unum.USearch.ScalarKind.Float32,
        "bf16" => Cloud.Unum.USearch.ScalarKind.BFloat16,
        "f16" => Cloud.Unum.USearch.ScalarKind.Float16,
        "i8" => Cloud.Unum.USearch.ScalarKind.Int8,
        _ => throw new MarginFaceException($"--quantization: '{value}' is not f32, bf16, f16 or i8"),
    };
}
