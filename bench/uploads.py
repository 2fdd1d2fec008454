"""How much memory an accepted 39-megapixel picture costs while it is cleaned, against its
decoded size.

intake.uploads.clean_upload decodes a picture, turns it upright and saves it again without
its metadata. The floor is the decoding alone (Image.open and load on the same bytes),
measured in the same run; each figure is the process's peak resident memory (VmHWM, Linux)
above what it held before, and what it still holds afterwards. Target: ratio <= 1.25 for a
photo that needs no turning (turning one needs a second copy while it runs).

    .venv/bin/python bench/uploads.py [--quick]
"""

import gc
import io

from _setup import arguments, cleanup, django_in_tempdir

TARGET_RATIO = 1.25
WIDTH, HEIGHT = 7200, 5400  # 38.9 megapixels, under the limit of 40


def memory_mb(field: str) -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    raise RuntimeError(f"no {field} in /proc/self/status")


def peak_above(operation) -> tuple[float, float]:
    """The peak memory `operation` took above what the process held before it, and what
    it still holds of it afterwards, in MB."""
    from intake.uploads import _give_back_memory

    gc.collect()
    _give_back_memory()  # what making the picture left with the allocator goes first
    with open("/proc/self/clear_refs", "w") as clear:
        clear.write("5")  # the peak starts again from what is held now
    before = memory_mb("VmRSS")
    operation()
    gc.collect()
    return memory_mb("VmHWM") - before, memory_mb("VmRSS") - before


def picture(kind: str, orientation: int = 1) -> bytes:
    from PIL import Image

    out = io.BytesIO()
    exif = Image.Exif()
    exif[0x0112] = orientation
    Image.new("RGB", (WIDTH, HEIGHT), (120, 80, 40)).save(out, kind, exif=exif.tobytes())
    return out.getvalue()


def main():
    args = arguments(__doc__.splitlines()[0]).parse_args()
    workdir = django_in_tempdir(migrate=False)
    try:
        run(["JPEG"] if args.quick else ["JPEG", "PNG"])
    finally:
        cleanup(workdir)


def run(kinds: list[str]):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    from intake.uploads import _give_back_memory, clean_upload

    def decode_only(data):
        with Image.open(io.BytesIO(data)) as image:
            image.load()
        _give_back_memory()

    print(f"picture: {WIDTH} x {HEIGHT} ({WIDTH * HEIGHT / 1e6:.1f} megapixels, RGB)")
    verdicts = []
    for kind in kinds:
        for orientation, label in ((1, "upright"), (6, "to be turned")):
            data = picture(kind, orientation)
            floor, _ = peak_above(lambda data=data: decode_only(data))
            name = f"photo.{kind.lower()}"
            peak, kept = peak_above(lambda data=data, name=name: clean_upload(
                SimpleUploadedFile(name, data)))
            ratio = peak / floor
            print(f"{kind:4} {label:12} {len(data) // 1024:>5} KB: decoding alone {floor:5.0f} MB "
                  f"(floor), clean_upload {peak:5.0f} MB, ratio {ratio:.2f}, "
                  f"{kept:4.0f} MB still held after")
            if orientation == 1:
                verdicts.append(ratio <= TARGET_RATIO)
    verdict = "meets" if all(verdicts) else "MISSES"
    print(f"upright pictures {verdict} the target of a ratio <= {TARGET_RATIO}")


if __name__ == "__main__":
    main()
