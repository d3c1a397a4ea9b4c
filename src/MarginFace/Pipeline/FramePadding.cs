namespace MarginFace.Pipeline;

/// <summary>
/// When face-api's detectors look again at the photo centred on a mid-grey canvas twice its size: a face that fills the frame
/// (e.g. LFW's 250×250 crops) is too large and too cut for SSD's anchors, and at half the scale with a border it is found.
/// </summary>
public enum FramePadding
{
    /// <summary>One pass, exactly as face-api runs (no second look).</summary>
    None,

    /// <summary>
    /// The padded pass runs only when the first finds no large central face: none at least 0.2 × the photo's shorter side wide
    /// covers the photo's centre (a frame-filling face is often missed, or only a neighbour's face beside it is found). With SSD,
    /// the tiny detector then looks too when there is still none (<see cref="FaceDetectorOptions.TinyFallback"/>).
    /// </summary>
    WhenNoLargeFace,

    /// <summary>Both passes always run; their faces are merged by non-maximum suppression.</summary>
    Always,
}
