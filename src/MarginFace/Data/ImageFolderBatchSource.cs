using System.Collections.Concurrent;
using System.Runtime.ExceptionServices;
using MarginFace.FaceModels;
using MarginFace.Runtime;
using MarginFace.Training;
using static TorchSharp.torch;

namespace MarginFace.Data;

/// <summary>
/// Streams an <see cref="IFaceImageSet"/> (identity folders, or InsightFace's RecordIO) as training batches. Epoch e's order is a Fisher–Yates shuffle drawn from
/// <see cref="SplitMix64"/> keyed by (seed, e); step s holds positions s·B … s·B + B − 1 of it, and image i of step s is
/// augmented with the draw keyed by (seed, e, s, i). Worker threads decode whole batches ahead of the consumer (at most
/// <see cref="ImageFolderBatchOptions.PrefetchBatches"/> in flight) and the batches come out in step order, so the tensors do not
/// depend on the number of workers or on timing. An unreadable file is reported once and replaced by the next readable
/// file of the epoch's order (wrapping round), with that file's label: the replacement depends only on which files are
/// unreadable, so a resumed run sees the same batches. The same images give the same batches whatever holds them.
/// </summary>
public sealed class ImageFolderBatchSource : IBatchSource
{
    /// <summary>Stream tag separating the shuffle from other uses of the same seed.</summary>
    private const long ShuffleStream = 0x53687566;

    private readonly IFaceImageSet _dataset;
    private readonly FacePreprocessing _preprocessing;
    private readonly FaceAugmentation? _augmentation;
    private readonly ImageFolderBatchOptions _options;
    private readonly ConcurrentDictionary<string, string> _unreadable = new(StringComparer.Ordinal);
    private readonly Lock _reportLock = new();
    private int _runningWorkers;

    /// <summary>Batches of <paramref name="images"/>, each cropped and normalised by <paramref name="preprocessing"/> and, when given, augmented; decoded on <see cref="ImageFolderBatchOptions.Workers"/> threads.</summary>
    public ImageFolderBatchSource(IFaceImageSet images, FacePreprocessing preprocessing, FaceAugmentation? augmentation, ImageFolderBatchOptions options)
    {
        ArgumentNullException.ThrowIfNull(images);
        ArgumentNullException.ThrowIfNull(preprocessing);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.BatchSize, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.Workers, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.PrefetchBatches, 1);
        augmentation?.Validate(preprocessing);
        if (options.Pk is { } pk && pk.BatchSize != options.BatchSize)
            throw new ArgumentException($"batch size {options.BatchSize} is not P·K = {pk.BatchSize} of the P×K plan", nameof(options));
        if (options.DropLast && images.Count < options.BatchSize)
            throw new MarginFaceException($"{images.Root}: {images.Count} images, fewer than one batch of {options.BatchSize}");
        _dataset = images;
        _preprocessing = preprocessing;
        _augmentation = augmentation;
        _options = options;
    }

    /// <summary>The images read.</summary>
    public IFaceImageSet Images => _dataset;

    /// <summary>How each image becomes the input tensor.</summary>
    public FacePreprocessing Preprocessing => _preprocessing;

    /// <summary>Files found unreadable so far, with their problem.</summary>
    public IReadOnlyDictionary<string, string> Unreadable => _unreadable;

    /// <summary>Decoding threads alive now (0 once every enumeration has ended).</summary>
    internal int RunningWorkers => Volatile.Read(ref _runningWorkers);

    /// <summary>⌊images / batch⌋ (or ⌈…⌉ without <see cref="ImageFolderBatchOptions.DropLast"/>); with P×K, as the plan gives.</summary>
    public int Steps(int epoch)
    {
        if (_options.Pk is { } pk) return pk.Steps(_dataset.Count);
        int n = _dataset.Count, b = _options.BatchSize;
        return _options.DropLast ? n / b : (n + b - 1) / b;
    }

    /// <summary>Epoch <paramref name="epoch"/>'s order: a permutation of the sample indices, or the P×K plan's batches.</summary>
    internal int[] Order(int epoch)
    {
        if (_options.Pk is { } pk) return pk.Order(Enumerable.Range(0, _dataset.Count).Select(_dataset.Label).ToArray(), _dataset.Identities.Count, _options.Seed, epoch, _dataset.Root);
        var order = Enumerable.Range(0, _dataset.Count).ToArray();
        var random = SplitMix64.For(ShuffleStream, _options.Seed, epoch);
        for (int i = order.Length - 1; i > 0; i--)
        {
            var j = random.NextInt(i + 1);
            (order[i], order[j]) = (order[j], order[i]);
        }
        return order;
    }

    /// <inheritdoc/>
    public IEnumerable<TrainingBatch> Read(int epoch, int startStep, CancellationToken cancellation = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(epoch, 1);
        var steps = Steps(epoch);
        ArgumentOutOfRangeException.ThrowIfNegative(startStep);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(startStep, steps);
        return ReadBatches(epoch, startStep, steps, cancellation);
    }

    private IEnumerable<TrainingBatch> ReadBatches(int epoch, int startStep, int steps, CancellationToken cancellation)
    {
        if (startStep == steps) yield break;
        var order = Order(epoch);
        var results = new TaskCompletionSource<(float[] Images, long[] Labels)>[steps - startStep];
        for (int i = 0; i < results.Length; i++) results[i] = new(TaskCreationOptions.RunContinuationsAsynchronously);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        using var slots = new SemaphoreSlim(_options.PrefetchBatches);
        var next = startStep - 1;
        Exception? failure = null;
        var workers = new Thread[Math.Min(_options.Workers, steps - startStep)];
        for (int w = 0; w < workers.Length; w++)
        {
            workers[w] = new Thread(() =>
            {
                Interlocked.Increment(ref _runningWorkers);
                try
                {
                    while (true)
                    {
                        slots.Wait(stop.Token);
                        var step = Interlocked.Increment(ref next);
                        if (step >= steps) return;
                        try
                        {
                            results[step - startStep].SetResult(Decode(order, epoch, step, stop.Token));
                        }
                        catch (Exception e)
                        {
                            if (e is not OperationCanceledException) Interlocked.CompareExchange(ref failure, e, null);
                            results[step - startStep].SetException(e);
                            stop.Cancel();
                            return;
                        }
                    }
                }
                catch (OperationCanceledException)
                {
                }
                finally
                {
                    Interlocked.Decrement(ref _runningWorkers);
                }
            })
            { IsBackground = true, Name = $"MarginFace decoder {w + 1}" };
            workers[w].Start();
        }
        try
        {
            for (int step = startStep; step < steps; step++)
            {
                cancellation.ThrowIfCancellationRequested();
                var task = results[step - startStep].Task;
                try
                {
                    // Waiting on the shared token: a worker's failure on a later step stops this wait too.
                    task.Wait(stop.Token);
                }
                catch (Exception e) when (e is AggregateException or OperationCanceledException)
                {
                    cancellation.ThrowIfCancellationRequested();
                    if (Volatile.Read(ref failure) is { } first) ExceptionDispatchInfo.Capture(first).Throw();
                    throw;
                }
                var (images, labels) = task.Result;
                results[step - startStep] = null!;
                slots.Release();
                yield return new TrainingBatch(
                    tensor(images, [labels.Length, _preprocessing.Channels, _preprocessing.Height, _preprocessing.Width]),
                    tensor(labels));
            }
        }
        finally
        {
            stop.Cancel();
            foreach (var worker in workers) worker.Join();
        }
    }

    /// <summary>The floats and labels of one step; positions past the end of the order (a kept partial batch) are absent.</summary>
    private (float[] Images, long[] Labels) Decode(int[] order, int epoch, int step, CancellationToken cancellation)
    {
        int b = _options.BatchSize, length = _preprocessing.Length;
        var count = Math.Min(b, order.Length - step * b);
        var images = new float[count * length];
        var labels = new long[count];
        for (int i = 0; i < count; i++)
        {
            cancellation.ThrowIfCancellationRequested();
            var draw = _augmentation?.Draw(_preprocessing, _options.Seed, epoch, step, i);
            var destination = images.AsSpan(i * length, length);
            for (int tried = 0; ; tried++)
            {
                if (tried == order.Length) throw new MarginFaceException($"{_dataset.Root}: no readable image");
                var index = order[(step * b + i + tried) % order.Length];
                var name = _dataset.Name(index);
                if (_unreadable.ContainsKey(name)) continue;
                try
                {
                    if (_options.Crops is { } crops) _preprocessing.WriteFace(crops.Get(_preprocessing.Crop, name, () => _dataset.Read(index)), destination, draw);
                    else _preprocessing.Write(_dataset.Read(index), destination, draw);
                    labels[i] = _dataset.Label(index);
                    break;
                }
                catch (MarginFaceException e)
                {
                    Report(name, IdentityFolderDataset.Problem(e.Message, name));
                }
            }
        }
        return (images, labels);
    }

    private void Report(string path, string problem)
    {
        lock (_reportLock)
        {
            if (!_unreadable.TryAdd(path, problem)) return;
            _options.Warning?.Invoke(path, problem);
            var total = _dataset.Count;
            if (_unreadable.Count > _options.MaxBadFraction * total)
                throw new MarginFaceException(
                    $"{_dataset.Root}: {_unreadable.Count} of {total} images are unreadable, more than {(_options.MaxBadFraction * 100).ToString("0.##", System.Globalization.CultureInfo.InvariantCulture)}% (latest: {path}: {problem})");
        }
    }
}
