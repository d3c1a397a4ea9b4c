using MarginFace.FaceModels;
using MarginFace.Pipeline;
using MarginFace.Server.Problems;

namespace MarginFace.Server.Recognition;

/// <summary>
/// The networks of the server, loaded once and shared by every request (ONNX Runtime sessions are thread-safe): the detector,
/// the face model (<see cref="FaceModelLoader.Open"/>, ONNX Runtime for <c>pretrained</c>) behind <see cref="Pipeline"/>, the one way
/// to embed a photo, and, on first use, the <see cref="FaceAnalyzer"/>. <see cref="StartLoading"/> loads them in the background
/// so that <c>/healthz</c> answers at once and <c>/readyz</c> says when they are there.
/// </summary>
public sealed class FaceServices : IDisposable
{
    private readonly ServerOptions options;
    private readonly object gate = new();
    private Task? loading;
    private FaceDetector? detector;
    private FaceModelEmbedder? embedder;
    private FacePipeline? pipeline;
    private Lazy<FaceAnalyzer>? analyzer;

    private readonly SemaphoreSlim slots;

    public FaceServices(ServerOptions options)
    {
        this.options = options;
        slots = new SemaphoreSlim(options.MaxConcurrentInference, options.MaxConcurrentInference);
    }

    /// <summary>Waits for one of <see cref="ServerOptions.MaxConcurrentInference"/> slots; dispose the lease to give it back.</summary>
    public async Task<IDisposable> AcquireAsync(CancellationToken cancel)
    {
        await slots.WaitAsync(cancel);
        return new Lease(slots);
    }

    private sealed class Lease(SemaphoreSlim slots) : IDisposable
    {
        private int released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref released, 1) == 0) slots.Release();
        }
    }

    /// <summary>True once every network is loaded.</summary>
    public bool Ready => loading is { IsCompletedSuccessfully: true };

    /// <summary>The load's failure, if it failed.</summary>
    public Exception? LoadError => loading?.Exception?.GetBaseException();

    /// <summary>Starts loading (once) and returns the task that finishes when it has.</summary>
    public Task StartLoading()
    {
        lock (gate) return loading ??= Task.Run(Load);
    }

    /// <summary>The photo pipeline (detector and face model); 503 while loading.</summary>
    public FacePipeline Pipeline => Ready ? pipeline! : throw NotReady();

    /// <summary>The face model (its id and verification threshold).</summary>
    public FaceModelEmbedder Embedder => Ready ? embedder! : throw NotReady();

    /// <summary>face-api's age, gender and expression networks, loaded on first use.</summary>
    public FaceAnalyzer Analyzer => Ready ? analyzer!.Value : throw NotReady();

    private void Load()
    {
        var found = options.DetectorPath is null ? new FaceDetector(options: new FaceDetectorOptions { Threads = options.OnnxThreads })
            : new FaceDetector(options.DetectorPath, new FaceDetectorOptions { Kind = FaceDetectorKind.YuNet, Threads = options.OnnxThreads });
        try
        {
            var model = new FaceModelEmbedder(options.CacheRoot is { } cache && FaceModelLoader.IsPretrained(options.Model)
                ? MarginFace.Interop.FaceApi.PretrainedFaceModel.OpenOnnx(options.OnnxThreads, cacheRoot: cache)
                : FaceModelLoader.Open(options.Model, threads: options.OnnxThreads));
            (detector, embedder) = (found, model);
            pipeline = new FacePipeline(found, model);
            analyzer = new Lazy<FaceAnalyzer>(() => new FaceAnalyzer(options.OnnxThreads, options.CacheRoot), LazyThreadSafetyMode.ExecutionAndPublication);
        }
        catch
        {
            found.Dispose();
            throw;
        }
    }

    private Exception NotReady() => LoadError is { } error
        ? new ApiProblemException(ProblemKind.NotReady, $"the models failed to load: {error.Message.ReplaceLineEndings(" ")}")
        : new ApiProblemException(ProblemKind.NotReady, "the models are still loading; /readyz says when they are ready");

    public void Dispose()
    {
        try { loading?.Wait(); } catch (AggregateException) { }
        detector?.Dispose();
        embedder?.Dispose();
        if (analyzer is { IsValueCreated: true }) analyzer.Value.Dispose();
    }
}
