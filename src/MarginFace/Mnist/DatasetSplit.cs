namespace MarginFace.Mnist;

/// <summary>Which half of an MNIST-style data set: the <c>train-*</c> or the <c>t10k-*</c> files.</summary>
internal enum DatasetSplit
{
    Train,
    Test,
}
