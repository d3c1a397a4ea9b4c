using System.Globalization;
using MarginFace.Imaging;
using MarginFace.Server.Problems;

namespace MarginFace.Server.Photos;

/// <summary>
/// Decodes an uploaded photo with the library's bounded reader (<see cref="ImageFile"/>): the size is read from the header
/// first and a photo over <see cref="ServerOptions.MaxMegapixels"/> is refused (413) before any pixel is decoded; a file that
/// is not an image, or a damaged one, is 422.
/// </summary>
internal static class PhotoDecoder
{
    public static RgbImage Decode(UploadedPhoto photo, ServerOptions options)
    {
        var maxPixels = (long)(options.MaxMegapixels * 1_000_000);
        try
        {
            var (width, height) = ImageFile.SizeOf(photo.Bytes, photo.Name);
            if ((long)width * height > maxPixels)
                throw new ApiProblemException(ProblemKind.ImageTooLarge, string.Create(CultureInfo.InvariantCulture,
                    $"{photo.Name}: {width}×{height} is {(double)width * height / 1e6:0.##} megapixels, more than the {options.MaxMegapixels} allowed"));
            return ImageFile.Decode(photo.Bytes, photo.Name, maxPixels);
        }
        catch (MarginFaceException e)
        {
            throw new ApiProblemException(ProblemKind.BadImage, e.Message);
        }
    }
}
