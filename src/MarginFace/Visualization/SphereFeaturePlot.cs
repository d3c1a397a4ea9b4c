using ScottPlot;

namespace MarginFace.Visualization;

/// <summary>
/// 3-D features normalised onto the unit sphere, seen from two opposite viewpoints side by side, one colour per class: each panel is an
/// orthographic projection in which the hemisphere facing the viewer is drawn in full colour and the far hemisphere faintly (it is the
/// full-colour side of the other panel), so every point is shown clearly exactly once.
/// </summary>
internal static class SphereFeaturePlot
{
    /// <summary>Direction towards the viewer of the first panel (the second looks from the opposite side): oblique, from the front right, above.</summary>
    public static readonly (double X, double Y, double Z) FirstViewDirection = (0.55, -0.70, 0.45);

    /// <summary>
    /// Writes a PNG of <paramref name="features3d"/> (<c>[N,3]</c>, row-major) coloured by <paramref name="labels"/>, with the title and one shared
    /// class legend. Zero features are skipped. The sphere's equator (x₃ = 0) and the meridians through ±x₁ and ±x₂ are drawn for orientation.
    /// </summary>
    public static void Save(string path, float[] features3d, int[] labels, IReadOnlyList<string> classNames, string title,
        int width = 1400, int height = 760, int maxPointsPerClass = 2000)
    {
        ArgumentNullException.ThrowIfNull(features3d);
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentNullException.ThrowIfNull(classNames);
        if (features3d.Length != labels.Length * 3)
            throw new ArgumentException($"expected {labels.Length * 3} feature values for {labels.Length} points, got {features3d.Length}", nameof(features3d));

        var points = new List<(double X, double Y, double Z)>[classNames.Count];
        for (int c = 0; c < classNames.Count; c++) points[c] = [];
        for (int i = 0; i < labels.Length; i++)
        {
            int c = labels[i];
            if (c < 0 || c >= classNames.Count)
                throw new ArgumentException($"label {c} has no class name ({classNames.Count} classes)", nameof(labels));
            if (points[c].Count >= maxPointsPerClass) continue;
            double x = features3d[3 * i], y = features3d[3 * i + 1], z = features3d[3 * i + 2];
            double norm = Math.Sqrt(x * x + y * y + z * z);
            if (!(norm > 0) || !double.IsFinite(norm)) continue;
            points[c].Add((x / norm, y / norm, z / norm));
        }

        var first = Normalise(FirstViewDirection);
        var views = new[] { (Direction: first, Name: "view A"), (Direction: Scale(first, -1), Name: "view B (opposite side)") };
        using var image = new CompositeImage(width, height, title, classNames);
        for (int v = 0; v < views.Length; v++)
        {
            using var plot = DrawView(views[v].Direction, $"{views[v].Name}, towards ({Format(views[v].Direction)})", points);
            image.Render(plot, 0, v, 1, views.Length);
        }
        image.SavePng(path);
    }

    private static Plot DrawView((double X, double Y, double Z) towardsViewer, string caption,
        IReadOnlyList<List<(double X, double Y, double Z)>> points)
    {
        var projection = new Projection(towardsViewer);
        var plot = new Plot();
        plot.Title(caption, 15);

        var outline = plot.Add.Circle(0, 0, 1);
        outline.LineColor = Colors.Gray;
        outline.LineWidth = 1.5f;
        outline.FillColor = Color.FromHex("#f7f7f7");

        // Back hemisphere first (faint), then guide circles, then the front hemisphere on top.
        for (int c = 0; c < points.Count; c++) AddPoints(plot, projection, points[c], c, front: false);
        AddGreatCircle(plot, projection, p => (Math.Cos(p), Math.Sin(p), 0));
        AddGreatCircle(plot, projection, p => (Math.Cos(p), 0, Math.Sin(p)));
        AddGreatCircle(plot, projection, p => (0, Math.Cos(p), Math.Sin(p)));
        AddAxisLabel(plot, projection, (1, 0, 0), "+x₁");
        AddAxisLabel(plot, projection, (0, 1, 0), "+x₂");
        AddAxisLabel(plot, projection, (0, 0, 1), "+x₃");
        for (int c = 0; c < points.Count; c++) AddPoints(plot, projection, points[c], c, front: true);

        plot.HideGrid();
        plot.Axes.Frameless();
        plot.Axes.SetLimits(-1.15, 1.15, -1.15, 1.15);
        plot.Axes.SquareUnits();
        PlotFont.Apply(plot);
        return plot;
    }

    private static void AddPoints(Plot plot, Projection projection, List<(double X, double Y, double Z)> points, int classIndex, bool front)
    {
        var xs = new List<double>();
        var ys = new List<double>();
        foreach (var p in points)
        {
            var (u, v, depth) = projection.Apply(p);
            if ((depth >= 0) != front) continue;
            xs.Add(u);
            ys.Add(v);
        }
        var color = ClassPalette.Get(classIndex);
        plot.Add.Markers(xs.ToArray(), ys.ToArray(), MarkerShape.FilledCircle, front ? 5 : 3, front ? color.WithAlpha(0.6) : color.WithAlpha(0.12));
    }

    private static void AddGreatCircle(Plot plot, Projection projection, Func<double, (double X, double Y, double Z)> circle)
    {
        const int steps = 180;
        var segment = new List<Coordinates>();
        bool? segmentFront = null;
        for (int s = 0; s <= steps; s++)
        {
            var (u, v, depth) = projection.Apply(circle(2 * Math.PI * s / steps));
            bool front = depth >= 0;
            if (segmentFront is bool previous && previous != front)
            {
                segment.Add(new Coordinates(u, v));
                Flush(plot, segment, previous);
                segment = [];
            }
            segment.Add(new Coordinates(u, v));
            segmentFront = front;
        }
        if (segmentFront is bool last) Flush(plot, segment, last);

        static void Flush(Plot plot, List<Coordinates> segment, bool front)
        {
            if (segment.Count < 2) return;
            var line = plot.Add.ScatterLine(segment.ToArray(), front ? Colors.Gray : Colors.LightGray);
            line.LineWidth = front ? 1.2f : 1;
            line.LinePattern = front ? LinePattern.Solid : LinePattern.Dotted;
        }
    }

    private static void AddAxisLabel(Plot plot, Projection projection, (double X, double Y, double Z) axis, string text)
    {
        var (u, v, depth) = projection.Apply(axis);
        if (depth < 0) return;
        var label = plot.Add.Text(text, u * 1.08, v * 1.08);
        label.LabelFontSize = 13;
        label.LabelFontColor = Colors.DimGray;
        label.LabelAlignment = Alignment.MiddleCenter;
    }

    private static (double X, double Y, double Z) Normalise((double X, double Y, double Z) v) =>
        Scale(v, 1 / Math.Sqrt(v.X * v.X + v.Y * v.Y + v.Z * v.Z));

    private static (double X, double Y, double Z) Scale((double X, double Y, double Z) v, double s) => (v.X * s, v.Y * s, v.Z * s);

    private static string Format((double X, double Y, double Z) v) =>
        string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{v.X:+0.00;-0.00},{v.Y:+0.00;-0.00},{v.Z:+0.00;-0.00}");

    /// <summary>Orthographic camera looking at the origin from <c>towardsViewer</c>, with x₃ as the up direction on screen.</summary>
    private readonly struct Projection
    {
        private readonly (double X, double Y, double Z) right, up, towardsViewer;

        public Projection((double X, double Y, double Z) towardsViewer)
        {
            this.towardsViewer = towardsViewer;
            right = Normalise(Cross((0, 0, 1), towardsViewer));
            up = Cross(towardsViewer, right);
        }

        /// <summary>Screen coordinates and depth (positive: on the hemisphere facing the viewer).</summary>
        public (double U, double V, double Depth) Apply((double X, double Y, double Z) p) =>
            (Dot(p, right), Dot(p, up), Dot(p, towardsViewer));

        private static double Dot((double X, double Y, double Z) a, (double X, double Y, double Z) b) => a.X * b.X + a.Y * b.Y + a.Z * b.Z;

        private static (double X, double Y, double Z) Cross((double X, double Y, double Z) a, (double X, double Y, double Z) b) =>
            (a.Y * b.Z - a.Z * b.Y, a.Z * b.X - a.X * b.Z, a.X * b.Y - a.Y * b.X);
    }
}
