# Writes python3_protocol{2,4,5}.bin: InsightFace-style verification sets (bins, issame_list) pickled by CPython itself,
# for VerificationBinTests' cross-check. Images are 8x8 solid-colour PNGs made with zlib (no PIL or NumPy needed).
# Run: python3 make_verification_bins.py
import pickle, struct, zlib

def png(r, g, b, size=8):
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xffffffff)
    rows = b"".join(b"\x00" + bytes([r, g, b]) * size for _ in range(size))
    header = struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")

colours = [(255, 0, 0), (250, 0, 0), (0, 0, 255), (0, 255, 0)]
bins = [png(*c) for c in colours]
issame_list = [True, False]
for protocol in (2, 4, 5):
    with open(f"python3_protocol{protocol}.bin", "wb") as f:
        pickle.dump((bins, issame_list), f, protocol=protocol)
