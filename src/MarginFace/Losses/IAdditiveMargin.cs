namespace MarginFace.Losses;

/// <summary>A head whose margin is one number m that can be changed during training (e.g. warmed up from 0).</summary>
public interface IAdditiveMargin
{
    /// <summary>The margin m.</summary>
    double M { get; set; }
}
