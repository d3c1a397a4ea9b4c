namespace MarginFace.Data;

/// <summary>
/// The random choices for one training image, drawn by <see cref="FaceAugmentation.Draw"/>: mirror it, resize the face to
/// <see cref="ResizeWidth"/>×<see cref="ResizeHeight"/> and cut the input-sized window at (<see cref="OffsetX"/>,
/// <see cref="OffsetY"/>), then scale intensities by <see cref="Brightness"/> and <see cref="Contrast"/> (1 = unchanged), and
/// blank the <see cref="EraseWidth"/>×<see cref="EraseHeight"/> rectangle at (<see cref="EraseX"/>, <see cref="EraseY"/>) of the
/// input to the normalisation's mean (0 after normalising; width 0: nothing erased).
/// </summary>
internal readonly record struct AugmentationDraw(bool Flip, int ResizeWidth, int ResizeHeight, int OffsetX, int OffsetY, float Brightness, float Contrast,
    int EraseX = 0, int EraseY = 0, int EraseWidth = 0, int EraseHeight = 0)
{
    /// <summary>No change: resize straight to the input size.</summary>
    public static AugmentationDraw None(int width, int height) => new(false, width, height, 0, 0, 1f, 1f);
}
