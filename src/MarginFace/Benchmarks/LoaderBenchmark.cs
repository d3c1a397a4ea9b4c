using System.Diagnostics;
using MarginFace.Data;
using MarginFace.FaceModels;
using MarginFace.Models;
using static TorchSharp.torch;

namespace MarginFace.Benchmarks;

/// <summary>
/// The loader suite: images/s decoded, cropped, resized, augmented and normalised into batches by the trainer's own
/// <see cref="ImageFolderBatchSource"/> with N decoding workers, nothing trained ("alone"); and the same while a training loop
/// of <see cref="LoaderBenchmarkOptions.Network"/> on a synthetic batch (<see cref="TrainBenchmark"/>) runs on another thread
/// of the same process ("while-training"), where libtorch's busy-waiting threads and the decoders compete for the cores:
/// both rates are measured over the same wall-clock window. A run's time starts at the first request and includes the
/// workers' start-up; median over the timed runs; images/s = B / (median time per batch). With
/// <see cref="LoaderBenchmarkOptions.RecordIo"/> each case is timed on the identity folder and, right after, on the same images
/// packed as RecordIO (the same shuffle, crops and augmentation; only where the bytes come from differs).
/// </summary>
internal static class LoaderBenchmark
{
    public const string Suite = "loader";

    public const string Alone = "alone";

    public const string WhileTrainingMode = "while-training";

    /// <summary>Training steps that must end inside the loader's timed window of a while-training case.</summary>
    public const int MinTrainingSteps = 3;

    public static IReadOnlyList<BenchmarkResult> Run(LoaderBenchmarkOptions options, Action<BenchmarkResult>? progress = null, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.Batch, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.ImagesPerRun, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.Repeats, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(options.Warmup);
        foreach (var w in options.Workers) ArgumentOutOfRangeException.ThrowIfLessThan(w, 1);
        var device = options.Device ?? CPU;
        var dataset = IdentityFolderDataset.Scan(options.Images);
        var sets = new List<(string Name, IFaceImageSet Images)> { ("folder", dataset) };
        var packed = options.RecordIo ? Path.Combine(Path.GetTempPath(), $"marginface-bench-rec-{Environment.ProcessId}-{Guid.NewGuid():N}") : null;
        RecordIoImageSet? rec = null;
        if (packed is not null)
        {
            RecordIoWriter.Pack(dataset, packed);
            rec = RecordIoImageSet.Open(packed);
            sets.Add(("recordio", rec));
        }
        try
        {
            return Run(options, sets, progress, device, cancellation);
        }
        finally
        {
            rec?.Dispose();
            if (packed is not null) Directory.Delete(packed, recursive: true);
        }
    }

    private static IReadOnlyList<BenchmarkResult> Run(LoaderBenchmarkOptions options, List<(string Name, IFaceImageSet Images)> sets, Action<BenchmarkResult>? progress,
        Device device, CancellationToken cancellation)
    {
        BackboneSpec spec;
        using (var backbone = BackboneFactory.Create(options.Network)) spec = backbone.Spec;
        var preprocessing = new FacePreprocessing(FaceCrop.Parse(options.Crop), spec.InputWidth, spec.InputHeight, spec.Channels == 1, spec.Normalization);
        var results = new List<BenchmarkResult>();
        void Add(BenchmarkResult r)
        {
            results.Add(r);
            progress?.Invoke(r);
        }
        foreach (var workers in options.Workers)
            foreach (var (name, images) in sets)
                Add(Measure(options, images, preprocessing, workers, null, device, cancellation) with { Data = name });
        if (options.WhileTraining)
        {
            var training = TrainBenchmark.Case(options.Network, options.Training, device);
            foreach (var workers in options.Workers)
                foreach (var (name, images) in sets)
                    Add(Measure(options, images, preprocessing, workers, training, device, cancellation) with { Data = name });
        }
        return results;
    }

    /// <summary>The end times of the training steps that ended after <paramref name="from"/>, ms.</summary>
    private static double[] StepsIn(List<double> stepEnds, double from)
    {
        lock (stepEnds) return stepEnds.Where(t => t > from).ToArray();
    }

    private static BenchmarkResult Measure(LoaderBenchmarkOptions o, IFaceImageSet dataset, FacePreprocessing preprocessing, int workers,
        TrainBenchmarkCase? training, Device device, CancellationToken cancellation)
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        var perCase = ProcessMemory.ResetPeak();
        var before = ProcessMemory.ResidentMb();
        var source = new ImageFolderBatchSource(dataset, preprocessing, o.Augmentation, new ImageFolderBatchOptions(o.Batch, o.Seed, workers));
        var msPerBatch = new List<double>();
        double? trainingRate = null;
        BenchTrainingRun? run = null;
        Thread? trainer = null;
        using var stopTraining = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        var stepEnds = new List<double>();
        var clock = Stopwatch.StartNew();
        Exception? trainingFailure = null;
        try
        {
            if (training is not null)
            {
                run = new BenchTrainingRun(training, o.Training.LearningRate, o.Seed, device);
                var warmedUp = new ManualResetEventSlim();
                var threads = get_num_threads();
                var steps = new StepClock
                {
                    AfterStep = done =>
                    {
                        lock (stepEnds) stepEnds.Add(clock.Elapsed.TotalMilliseconds);
                        if (done >= Math.Max(1, o.Training.Warmup)) warmedUp.Set();
                    },
                };
                trainer = new Thread(() =>
                {
                    try
                    {
                        set_num_threads(threads);
                        run.Fit(int.MaxValue, steps, stopTraining.Token);
                    }
                    catch (Exception e)
                    {
                        trainingFailure = e;
                    }
                    finally
                    {
                        warmedUp.Set();
                    }
                })
                { IsBackground = true, Name = "MarginFace bench training" };
                trainer.Start();
                warmedUp.Wait(cancellation);
                if (trainingFailure is not null) throw new InvalidOperationException($"the training beside the loader failed: {trainingFailure.Message}", trainingFailure);
            }
            for (int i = 0; i < o.Warmup; i++) LoaderThroughput.Measure(source, o.Batch * workers, cancellation);
            var window = clock.Elapsed.TotalMilliseconds;
            // While training, runs continue until the window holds at least MinTrainingSteps training steps, so that
            // the training rate is measured over whole steps inside it.
            while (msPerBatch.Count < o.Repeats || (training is not null && StepsIn(stepEnds, window).Length < MinTrainingSteps && trainer!.IsAlive))
            {
                var r = LoaderThroughput.Measure(source, o.ImagesPerRun, cancellation);
                msPerBatch.Add(r.Seconds * 1000 / r.Batches);
            }
            var windowEnd = clock.Elapsed.TotalMilliseconds;
            if (training is not null)
            {
                var ends = StepsIn(stepEnds, window).Where(t => t <= windowEnd).ToArray();
                if (ends.Length >= 2) trainingRate = (ends.Length - 1) * training.Batch * 1000.0 / (ends[^1] - ends[0]);
            }
        }
        finally
        {
            stopTraining.Cancel();
            trainer?.Join();
            run?.Dispose();
        }
        if (trainingFailure is not null && trainingFailure is not OperationCanceledException)
            throw new InvalidOperationException($"the training beside the loader failed: {trainingFailure.Message}", trainingFailure);
        var peak = ProcessMemory.PeakSince(before);
        var result = BenchmarkResult.Measured(Suite, device.ToString(), get_num_threads(), o.Warmup, msPerBatch, before, peak, perCase);
        return result with
        {
            Network = o.Network,
            Batch = o.Batch,
            Workers = workers,
            Mode = training is null ? Alone : WhileTrainingMode,
            Classes = training?.Classes,
            Head = training?.Head,
            ImagesPerSecond = o.Batch * 1000.0 / result.MedianMs,
            TrainingImagesPerSecond = trainingRate,
        };
    }
}
