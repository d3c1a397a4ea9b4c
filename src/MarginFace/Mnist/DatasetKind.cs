namespace MarginFace.Mnist;

/// <summary>The 28×28 grey-scale ten-class data sets MarginFace can fetch and read.</summary>
internal enum DatasetKind
{
    /// <summary>LeCun, Cortes and Burges' handwritten digits (http://yann.lecun.com/exdb/mnist/).</summary>
    Mnist,

    /// <summary>Zalando's Fashion-MNIST clothing images (https://github.com/zalandoresearch/fashion-mnist).</summary>
    FashionMnist,
}
