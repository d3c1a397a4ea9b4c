using MarginFace.Imaging;
using MarginFace.Tests.Imaging;

namespace MarginFace.Tests.Fuzz;

/// <summary>Mutated JPEGs (headers, tables and compressed data alike) decode or are refused with a one-line <see cref="MarginFaceException"/>.</summary>
public class JpegFileFuzzTests
{
    [Fact]
    public void MutatedJpegsDecodeOrAreRefusedInOneLine()
    {
        var seed = DamagedJpeg.Intact(48, 40, 85);
        var random = new Random(46);
        for (int i = 0; i < 6000; i++)
        {
            var bytes = Mutate(seed, random);
            try
            {
                if (JpegScan.FindDamage(bytes) is { } damage) Assert.DoesNotContain('\n', damage);
                ImageFile.Decode(bytes, "fuzz.jpg");
            }
            catch (MarginFaceException e)
            {
                Assert.DoesNotContain('\n', e.Message);
            }
            catch (Exception e)
            {
                throw new Xunit.Sdk.XunitException($"iteration {i}: {e.GetType().Name}: {e.Message}\n{Convert.ToBase64String(bytes)}\n{e.StackTrace}");
            }
        }
    }

    /// <summary>One to four byte edits: set, flip, insert, delete, repeat a run, cut the end; half of them near the headers.</summary>
    private static byte[] Mutate(byte[] seed, Random random)
    {
        var bytes = new List<byte>(seed);
        var edits = random.Next(1, 5);
        for (int e = 0; e < edits && bytes.Count > 2; e++)
        {
            int at = random.Next(2) == 0 ? random.Next(Math.Min(bytes.Count, 700)) : random.Next(bytes.Count);
            switch (random.Next(6))
            {
                case 0: bytes[at] = (byte)random.Next(256); break;
                case 1: bytes[at] ^= (byte)(1 << random.Next(8)); break;
                case 2: bytes.Insert(at, random.Next(2) == 0 ? (byte)0xFF : (byte)random.Next(256)); break;
                case 3: bytes.RemoveRange(at, Math.Min(bytes.Count - at, random.Next(1, 16))); break;
                case 4: bytes.InsertRange(at, bytes.GetRange(at, Math.Min(bytes.Count - at, random.Next(1, 64)))); break;
                default: bytes.RemoveRange(at, bytes.Count - at); break;
            }
        }
        return [.. bytes];
    }
}
