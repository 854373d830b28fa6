"""What an output's name asks for: its container, its codecs, and how chunks become one file.

    .mp4   H.264 (default), H.265 (tagged hvc1), AV1        + AAC    joined by stream copy
    .mov   ProRes 422 HQ (4444 with alpha), H.264, H.265    + PCM    joined by stream copy
    .webm  VP9 (alpha too)                                  + Opus   joined by stream copy
    .gif   one palette for the whole video, looping                  joined by stream copy
    frames/ or frames/%05d.png   one PNG per frame, written by the workers: nothing to join
    .m4a / .wav   the sound track alone: no frames are drawn

Every chunk of a video starts on a keyframe and shares its settings (a GIF's palette
too), so chunks join without re-encoding in every format.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field, fields
from typing import Any

from parareel.errors import ParareelError

X264_PRESETS = ("ultrafast", "superfast", "veryfast", "faster", "fast", "medium", "slow",
                "slower", "veryslow", "placebo")
QUALITIES = ("draft", "standard", "high")
CONTENTS = ("graphics", "footage")  # what is drawn: the survey says which (Survey.footage)


@dataclass(frozen=True)
class Codec:
    """A video codec as a user names it, and how parareel drives its encoder."""

    name: str
    encoder: str
    pix_fmts: tuple[str, ...]  # the first is the default
    alpha_pix_fmt: str | None = None
    crf: tuple[int, int] | None = None  # its valid range; None: no crf (ProRes, GIF, PNG)
    presets: tuple[str, ...] = ()  # the first is the fastest
    # quality profile -> (crf, preset): the defaults, chosen on bench/encoders.py's front
    profiles: dict[str, tuple[int | None, str | None]] = field(default_factory=dict)
    lossless: dict[str, str] | None = None  # encoder options for an exact encode
    # what the standard profile becomes for what is drawn (Encoding.content): content ->
    # (crf, encoder parameters), chosen on bench/encoders.py's front
    tuned: dict[str, tuple[int, str]] = field(default_factory=dict)
    tag: str | None = None  # the sample entry players expect (hvc1 for H.265 in MP4)
    intra: bool = False  # every frame a keyframe: --gop means nothing


CODECS = {c.name: c for c in (
    Codec("h264", "libx264", ("yuv420p", "yuv444p", "yuv420p10le", "yuv444p10le"),
          crf=(0, 51), presets=X264_PRESETS,
          profiles={"draft": (28, "ultrafast"), "standard": (23, "ultrafast"),
                    "high": (18, "veryfast")},
          lossless={"qp": "0"},
          # ultrafast's speed, with the tools that pay for themselves: CABAC, 3 B-frames
          # (decided without lookahead), more references, 8x8 transforms and intra
          # partitions; flat graphics gain from the adaptive quantiser, footage from
          # the deblocking filter at strength 1 (and reaches ultrafast's quality at crf 26)
          tuned={"graphics": (23, "cabac=1:bframes=3:b-adapt=0:ref=2:partitions=i8x8,i4x4:"
                                  "8x8dct=1:aq-mode=1:aq-strength=0.8"),
                 "footage": (26, "cabac=1:bframes=3:b-adapt=0:ref=2:partitions=i8x8,i4x4:"
                                 "8x8dct=1:deblock=1")}),
    Codec("h265", "libx265", ("yuv420p", "yuv444p", "yuv420p10le"), crf=(0, 51),
          presets=X264_PRESETS,
          profiles={"draft": (30, "ultrafast"), "standard": (26, "superfast"),
                    "high": (22, "fast")},
          lossless={"x265-params": "log-level=error:lossless=1"}, tag="hvc1"),
    Codec("av1", "libsvtav1", ("yuv420p", "yuv420p10le"), crf=(1, 63),
          presets=tuple(str(p) for p in range(13, -1, -1)),
          profiles={"draft": (40, "12"), "standard": (35, "10"), "high": (28, "8")}),
    Codec("vp9", "libvpx-vp9", ("yuv420p", "yuv444p"), alpha_pix_fmt="yuva420p", crf=(0, 63),
          presets=tuple(str(p) for p in range(8, -1, -1)),  # libvpx's cpu-used
          profiles={"draft": (40, "8"), "standard": (33, "6"), "high": (28, "4")},
          lossless={"lossless": "1"}),
    Codec("prores", "prores_ks", ("yuv422p10le",), alpha_pix_fmt="yuva444p10le",
          presets=("proxy", "lt", "standard", "hq"), intra=True,
          profiles={"draft": (None, "lt"), "standard": (None, "hq"), "high": (None, "hq")}),
    Codec("gif", "gif", ("pal8",), alpha_pix_fmt="pal8", intra=True),
    Codec("png", "png", ("rgb24",), alpha_pix_fmt="rgba", intra=True),
)}


@dataclass(frozen=True)
class Format:
    """An output kind, chosen by the output's name."""

    name: str
    container: str | None  # FFmpeg's muxer; None for a folder of frames
    codecs: tuple[str, ...] = ()  # the first is the default
    audio: str | None = None  # the sound track's codec; None: the format has no sound
    frames: bool = True  # False: the sound track alone
    pieces: str | None = None  # the format chunks are written in, if not this one

    @property
    def extension(self) -> str:
        return {"frames": ".png", "gif": ".gif"}.get(self.name, f".{self.name}")

    @property
    def piece(self) -> Format:
        """The format of this output's chunks (HLS is made of MP4 segments)."""
        return FORMATS[self.pieces] if self.pieces else self


FORMATS = {f.name: f for f in (
    Format("mp4", "mp4", ("h264", "h265", "av1"), "aac"),
    Format("mov", "mov", ("prores", "h264", "h265"), "pcm_s16le"),
    Format("webm", "webm", ("vp9",), "libopus"),
    Format("gif", "gif", ("gif",)),
    Format("frames", None, ("png",)),
    Format("m3u8", "hls", ("h264", "h265"), "aac", pieces="mp4"),
    Format("m4a", "ipod", audio="aac", frames=False),
    Format("wav", "wav", audio="pcm_s16le", frames=False),
)}
KNOWN = (".mp4, .mov, .webm, .gif, .m3u8 (HLS), .m4a, .wav, or a folder of PNG frames (out/ or "
         "out/%05d.png)")
_PATTERN = re.compile(r"%0?\d*d")


def output_format(output: str) -> Format:
    """The format an output's name asks for; a name parareel does not know is refused."""
    name = output.rsplit("/", 1)[-1]
    if output.endswith("/") or (name.endswith(".png") and _PATTERN.search(name)):
        return FORMATS["frames"]
    suffix = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if suffix in FORMATS and suffix != "frames":
        return FORMATS[suffix]
    hint = (" (to write one PNG per frame give a folder, out/, or a pattern, out/%05d.png; "
            "for one frame, `parareel still`)" if suffix in ("", "png") else "")
    raise ParareelError(f"cannot tell what to write from the name {output!r}{hint}: "
                        f"parareel writes {KNOWN}")


def frame_pattern(output: str) -> tuple[str, str]:
    """(folder, file name pattern) of an image sequence output: out/ is out/%05d.png."""
    if output.endswith("/"):
        return output[:-1] or "/", "%05d.png"
    folder, _, name = output.rpartition("/")
    return folder or ".", name


def frame_names(pattern: str) -> re.Pattern:
    """What the names of `pattern`'s frames look like: %05d.png matches 00012.png."""
    before, after = _PATTERN.split(pattern, 1)
    return re.compile(rf"{re.escape(before)}\d+{re.escape(after)}")


def check_scale(scale: float) -> None:
    """Refuse a size factor outside what makes sense for a video or a still."""
    if isinstance(scale, bool) or not (isinstance(scale, int | float) and 0.05 <= scale <= 8):
        raise ParareelError(f"scale must be from 0.05 to 8 (0.5 halves the size), got {scale!r}")


@dataclass(frozen=True)
class Encoding:
    """How frames become a file: the format, its codec and the codec's settings.

    Settings left unset come from the codec's quality profile (`quality`: draft,
    standard or high). `lossless` encodes exactly (large files: for tests and
    masters); `bitrate` (bits per second) aims at a size instead of a quality.
    `alpha` keeps transparency (set by a project without a background); `scale`
    multiplies the output's size (0.5 for a fast draft). `content` (graphics or
    footage) is set by the render from its survey: the standard profile is tuned for
    it. `threads` fixes the encoder's threads (x264's output depends on how many: a
    cached render fixes it, so that a block is the same bytes whoever encodes it). Every
    value is checked here, so a bad one is refused before any frame is drawn.
    """

    format: str = "mp4"
    codec: str | None = None  # None: the format's first
    quality: str = "standard"
    crf: int | None = None
    preset: str | None = None
    lossless: bool = False
    bitrate: int | None = None
    gop: int | None = None  # frames between keyframes; None: the encoder's choice
    pix_fmt: str | None = None
    alpha: bool = False
    scale: float = 1.0
    palette: tuple[int, ...] | None = None  # GIF: 0xRRGGBB colours every chunk shares
    content: str = "graphics"  # or "footage": what the standard profile is tuned for
    threads: int | None = None  # the encoder's; None: the engine shares the cores out

    def __post_init__(self) -> None:
        for name in ("lossless", "alpha"):  # "false" is a true value: refuse, never guess
            if not isinstance(getattr(self, name), bool):
                raise ParareelError(f"{name} must be true or false (got "
                                    f"{getattr(self, name)!r})")
        for name in ("crf", "bitrate", "gop", "threads"):
            value = getattr(self, name)
            if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
                raise ParareelError(f"{name} must be a whole number, got {value!r}")
        fmt = FORMATS.get(self.format)
        if fmt is None:
            raise ParareelError(f"unknown format {self.format!r}: one of {', '.join(FORMATS)}")
        if self.codec is not None and self.codec not in fmt.codecs:
            raise ParareelError(f"{fmt.extension} carries {' or '.join(fmt.codecs)}, not "
                                f"{self.codec!r}" + (f" (known codecs: {', '.join(CODECS)})"
                                                     if self.codec not in CODECS else ""))
        if self.quality not in QUALITIES:
            raise ParareelError(f"quality must be one of {', '.join(QUALITIES)}, "
                                f"got {self.quality!r}")
        if self.content not in CONTENTS:
            raise ParareelError(f"content must be one of {', '.join(CONTENTS)}, "
                                f"got {self.content!r}")
        if self.video is not None:
            self._check(self.video, fmt)
        if self.palette is not None and not (
                0 < len(self.palette) <= 256 and all(isinstance(c, int) and 0 <= c <= 0xFFFFFF
                                                     for c in self.palette)):
            raise ParareelError("palette must be 1 to 256 colours, each 0xRRGGBB")
        check_scale(self.scale)

    def _check(self, codec: Codec, fmt: Format) -> None:
        """Refuse what the codec cannot do, saying what it can."""
        given_crf = self.crf is not None
        if given_crf and self.bitrate is not None:
            raise ParareelError("give a crf (a quality) or a bitrate (a size), not both")
        if given_crf and codec.crf is None:
            raise ParareelError(f"{codec.name} has no crf: its presets set the quality "
                                f"({', '.join(codec.presets) or 'none'})")
        if given_crf and not codec.crf[0] <= self.crf <= codec.crf[1]:
            raise ParareelError(f"crf must be from {codec.crf[0]} to {codec.crf[1]} for "
                                f"{codec.name} (lower is better), got {self.crf}")
        if self.preset is not None and self.preset not in codec.presets:
            raise ParareelError(f"preset must be one of {', '.join(codec.presets)} for "
                                f"{codec.name} (fastest first), got {self.preset!r}"
                                if codec.presets else f"{codec.name} has no presets")
        if self.lossless and codec.lossless is None:
            raise ParareelError(f"{codec.name} has no lossless mode here: use h264, h265 "
                                "or vp9, or PNG frames")
        if self.bitrate is not None and not (codec.crf and 10_000 <= self.bitrate <= 10**9):
            raise ParareelError(f"bitrate must be from 10k to 1G bits per second, for a codec "
                                f"with a rate control (not {codec.name}), got {self.bitrate}")
        if self.gop is not None and not 1 <= self.gop <= 10_000:
            raise ParareelError(f"gop must be from 1 to 10000 frames, got {self.gop}")
        if self.alpha and codec.alpha_pix_fmt is None:
            raise ParareelError(
                f"{fmt.extension} ({codec.name}) has no alpha channel, and the project has no "
                "background: write .webm, .mov (ProRes 4444), .gif or PNG frames, or give "
                "the project a background")
        if self.alpha and self.pix_fmt is not None:
            raise ParareelError(f"the project is transparent: {codec.name} keeps its alpha "
                                f"in {codec.alpha_pix_fmt}, so give no pixel format")
        if self.pix_fmt is not None and self.pix_fmt not in codec.pix_fmts:
            raise ParareelError(f"pixel format must be one of {', '.join(codec.pix_fmts)} for "
                                f"{codec.name}, got {self.pix_fmt!r}")

    @property
    def container(self) -> Format:
        return FORMATS[self.format]

    @property
    def video(self) -> Codec | None:
        """The video codec used: the one asked for, or the format's default."""
        codec = self.codec or next(iter(self.container.codecs), None)
        return CODECS[codec] if codec else None

    @property
    def pixel_format(self) -> str:
        """As asked; else the codec's first, but 4:4:4 for a lossless encode: 4:2:0 keeps one
        colour sample for every 2x2 pixels, so a "lossless" 4:2:0 file keeps the luma
        exactly and blurs the colour of edges (up to 151 levels off on hello's text)."""
        codec = self.video
        if self.alpha:
            return codec.alpha_pix_fmt
        if self.pix_fmt is None and self.lossless and "yuv444p" in codec.pix_fmts:
            return "yuv444p"
        return self.pix_fmt or codec.pix_fmts[0]

    @property
    def tuning(self) -> tuple[int, str] | None:
        """The standard profile's (crf, encoder parameters) for this content, when it
        applies: a codec that has one, no preset asked for, not lossless."""
        if self.quality != "standard" or self.preset is not None or self.lossless:
            return None
        return self.video.tuned.get(self.content) if self.video else None

    def rate_control(self) -> tuple[int | None, str | None]:
        """(crf, preset) in effect: as asked, else the quality profile's. The crf is None
        when the encode is lossless, aims at a bitrate, or the codec has none."""
        crf, preset = self.video.profiles.get(self.quality, (None, None))
        if self.tuning:
            crf = self.tuning[0]
        if self.lossless or self.bitrate:
            crf = None
        elif self.crf is not None:
            crf = self.crf
        return crf, self.preset or preset

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["palette"] = list(self.palette) if self.palette else None
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Encoding:
        """An Encoding from its JSON; raises ParareelError for unknown or bad settings."""
        unknown = set(data) - {f.name for f in fields(cls)}
        if unknown:
            raise ParareelError(f"unknown encoding settings: {', '.join(sorted(unknown))}")
        palette = data.get("palette")
        try:
            return cls(**{**data, "palette": tuple(palette) if palette else None})
        except TypeError as exc:
            raise ParareelError(f"bad encoding settings: {exc}") from None
