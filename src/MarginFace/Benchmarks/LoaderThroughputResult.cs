namespace MarginFace.Benchmarks;

/// <summary>What <see cref="LoaderThroughput.Measure"/> saw: images and batches delivered, wall-clock seconds, images/s.</summary>
internal sealed record LoaderThroughputResult(int Images, int Batches, double Seconds)
{
    public double ImagesPerSecond => Seconds > 0 ? Images / Seconds : 0;
}
