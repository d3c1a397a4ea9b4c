using MarginFace.Data;
using MarginFace.Runtime;
using MarginFace.Models;
using MarginFace.Training;

namespace MarginFace.Mnist;

/// <summary>Which half of an MNIST-style data set: the <c>train-*</c> or the <c>t10k-*</c> files.</summary>
internal enum DatasetSplit
{
    Train,
    Test,
}
