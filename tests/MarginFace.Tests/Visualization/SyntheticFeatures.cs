namespace MarginFace.Tests.Visualization;

/// <summary>Seeded synthetic embeddings: each class scattered around its own direction, with random lengths.</summary>
internal static class SyntheticFeatures
{
    public static readonly string[] DigitNames = ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"];

    /// <summary>2-D features: class c around angle 36°·c with the given angular spread (degrees), <paramref name="perClass"/> points each.</summary>
    public static (float[] Features, int[] Labels) Circle(int perClass, double spreadDegrees, int seed = 1)
    {
        var random = new Random(seed);
        var features = new float[10 * perClass * 2];
        var labels = new int[10 * perClass];
        for (int i = 0; i < labels.Length; i++)
        {
            int c = i % 10;
            double angle = (36.0 * c + spreadDegrees * Gaussian(random)) * Math.PI / 180;
            double length = 2 + 20 * random.NextDouble();
            labels[i] = c;
            features[2 * i] = (float)(length * Math.Cos(angle));
            features[2 * i + 1] = (float)(length * Math.Sin(angle));
        }
        return (features, labels);
    }

    /// <summary>Unit weight directions at 36°·c + <paramref name="offsetDegrees"/>, <c>[10,2]</c>.</summary>
    public static float[] CircleWeights(double offsetDegrees = 0)
    {
        var weights = new float[20];
        for (int c = 0; c < 10; c++)
        {
            double angle = (36.0 * c + offsetDegrees) * Math.PI / 180;
            weights[2 * c] = (float)(3 * Math.Cos(angle));
            weights[2 * c + 1] = (float)(3 * Math.Sin(angle));
        }
        return weights;
    }

    /// <summary>3-D features around 10 Fibonacci-sphere directions, with the given noise (in unit-vector units).</summary>
    public static (float[] Features, int[] Labels) Sphere(int perClass, double noise, int seed = 2)
    {
        var random = new Random(seed);
        var centres = new (double X, double Y, double Z)[10];
        double golden = Math.PI * (3 - Math.Sqrt(5));
        for (int c = 0; c < 10; c++)
        {
            double z = 1 - 2 * (c + 0.5) / 10, r = Math.Sqrt(1 - z * z);
            centres[c] = (r * Math.Cos(golden * c), r * Math.Sin(golden * c), z);
        }
        var features = new float[10 * perClass * 3];
        var labels = new int[10 * perClass];
        for (int i = 0; i < labels.Length; i++)
        {
            int c = i % 10;
            double length = 1 + 5 * random.NextDouble();
            labels[i] = c;
            features[3 * i] = (float)(length * (centres[c].X + noise * Gaussian(random)));
            features[3 * i + 1] = (float)(length * (centres[c].Y + noise * Gaussian(random)));
            features[3 * i + 2] = (float)(length * (centres[c].Z + noise * Gaussian(random)));
        }
        return (features, labels);
    }

    private static double Gaussian(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
}
