"""Encode RGBA frames to a video file with PyAV, in the format its Encoding names.

Every segment of a render is written by this class with the same settings, so
segments join by stream copy: each starts on a keyframe and counts time in
frames (time base 1/fps).
"""

from __future__ import annotations

import contextlib
import os
import queue
import sys
import threading
from fractions import Fraction
from pathlib import Path
from typing import Any

import av
import cv2
import numpy as np

from parareel.errors import RenderError
from parareel.media.formats import Encoding
from parareel.media.palette import Quantizer

# One thread: a conversion is short, and a thread pool would not survive the fork of
# a local worker.
cv2.setNumThreads(1)

os.environ.setdefault("SVT_LOG", "1")  # SVT-AV1 prints its whole configuration otherwise
_BT709 = 1  # primaries and transfer code points: sRGB's, as drawn
_BT601 = 6  # matrix code point (SMPTE 170M) of OpenCV's RGB -> YUV conversion
_DONE = object()
# While a writer is open, Python switches threads every 0.5 ms instead of 5 ms: the
# drawing thread (skia's calls keep the GIL) otherwise starves the encoding thread of
# the GIL it needs between FFmpeg calls. Measured: heavy 1080p scene 30 -> 35 fps.
_SWITCH_INTERVAL = 0.0005


class VideoWriter:
    """Write frames to `path`; the file appears only when `close()` succeeds.

    Drawing and encoding overlap: `write` converts the frame to YUV (a copy the
    caller's buffer can be reused after) and hands it to a thread that encodes it
    (PyAV releases the GIL while encoding).
    `threads` caps the encoder's threads (0: x264 decides); parallel workers on a
    shared machine use fewer each so that they do not fight over the cores. With
    `bgra`, `write` is given BGRA pixels (the canvas's own order: no swap to make).
    """

    def __init__(self, path: str | os.PathLike, width: int, height: int, fps: int | Fraction,
                 encoding: Encoding | None = None, faststart: bool = True,
                 threads: int = 0, bgra: bool = False) -> None:
        self.path, self.bgra = Path(path), bgra
        self.partial = self.path.with_name(f".{self.path.name}.partial")
        self.frames = 0
        encoding = encoding or Encoding()
        codec, fmt = encoding.video, encoding.container.piece
        if codec.name == "gif" and not encoding.palette:  # chosen by pipeline.prepare
            raise RenderError("a GIF is written with its whole video's palette: render it "
                              "with parareel.render, which chooses one")
        options = {"movflags": "+faststart"} if faststart and fmt.name in ("mp4", "mov") else {}
        self._container = av.open(str(self.partial), "w", format=fmt.container, options=options)
        stream = self._container.add_stream(codec.encoder, rate=fps,
                                            options=encoder_options(encoding))
        stream.width, stream.height = width, height
        stream.pix_fmt = encoding.pixel_format
        stream.time_base = 1 / Fraction(fps)
        if encoding.bitrate:
            stream.bit_rate = encoding.bitrate
        if codec.tag:
            stream.codec_tag = codec.tag
        ctx = stream.codec_context
        if encoding.gop:
            ctx.gop_size = encoding.gop
        ctx.color_primaries = ctx.color_trc = _BT709
        # yuv420p is converted by OpenCV (0.8 ms a 1080p frame against swscale's 5-10 ms),
        # whose matrix is BT.601: the stream says so, and players decode it by that matrix
        self._opencv = stream.pix_fmt == "yuv420p"
        self._yuv: np.ndarray | None = None  # the last frame, converted
        self._quantizer = (Quantizer(encoding.palette, encoding.alpha)
                           if stream.pix_fmt == "pal8" else None)
        ctx.colorspace = _BT601 if self._opencv else _BT709
        ctx.thread_count = threads  # 0: as many as the encoder sees fit
        self._stream = stream
        self._queue: queue.Queue[Any] = queue.Queue(maxsize=4)
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._encode_loop, daemon=True)
        self._switch_interval = sys.getswitchinterval()
        sys.setswitchinterval(min(self._switch_interval, _SWITCH_INTERVAL))
        self._thread.start()

    def write(self, pixels: np.ndarray, held: bool = False) -> None:
        """Encode a frame of RGBA pixels (BGRA if the writer was made with `bgra`); `held`
        says they are the last frame's again (converted then: not again)."""
        if self._error:
            raise RenderError(f"encoding failed: {self._error}") from self._error
        if self._opencv:
            if not held or self._yuv is None:
                self._yuv = cv2.cvtColor(pixels, cv2.COLOR_BGRA2YUV_I420 if self.bgra
                                         else cv2.COLOR_RGBA2YUV_I420)
            frame = av.VideoFrame.from_ndarray(self._yuv, format="yuv420p")
        elif self._quantizer:
            frame = self._quantizer.frame(cv2.cvtColor(pixels, cv2.COLOR_BGRA2RGBA)
                                          if self.bgra else pixels)
        else:
            frame = av.VideoFrame.from_ndarray(pixels, format="bgra" if self.bgra else "rgba")
        frame.pts = self.frames
        self.frames += 1
        self._queue.put(frame)

    def _encode_loop(self) -> None:
        stream, mux = self._stream, self._container.mux
        try:
            while (frame := self._queue.get()) is not _DONE:
                if frame.format.name != stream.pix_fmt:
                    pts = frame.pts
                    frame = frame.reformat(format=stream.pix_fmt, dst_colorspace="ITU709",
                                           interpolation="POINT")
                    frame.pts = pts
                mux(stream.encode(frame))
            mux(stream.encode(None))
        except BaseException as exc:  # reported to the writing thread
            self._error = exc
            while self._queue.get() is not _DONE:  # unblock the writer
                pass

    def close(self) -> Path:
        """Flush, finish the file and move it into place."""
        self._queue.put(_DONE)
        self._thread.join()
        sys.setswitchinterval(self._switch_interval)
        if self._error:
            self.abort()
            raise RenderError(f"encoding failed: {self._error}") from self._error
        self._container.close()
        os.replace(self.partial, self.path)
        return self.path

    def abort(self) -> None:
        """Stop and leave nothing behind."""
        if self._thread.is_alive():
            self._queue.put(_DONE)
            self._thread.join()
        sys.setswitchinterval(self._switch_interval)
        with contextlib.suppress(Exception):  # the file is deleted anyway
            self._container.close()
        self.partial.unlink(missing_ok=True)

    def __enter__(self) -> VideoWriter:
        return self

    def __exit__(self, kind, value, tb) -> None:
        if kind is None:
            self.close()
        else:
            self.abort()


def encoder_options(encoding: Encoding) -> dict[str, str]:
    """The encoder's own options for these settings."""
    codec = encoding.video
    crf, preset = encoding.rate_control()
    options = dict(codec.lossless) if encoding.lossless else {}
    if codec.name in ("h264", "h265", "av1"):
        options["preset"] = preset
    if encoding.tuning:
        options["x264-params"] = encoding.tuning[1]
    elif codec.name == "h264" and preset == "ultrafast":
        # ultrafast also turns CABAC off: files 20% larger to save ~0.3 ms a 1080p frame
        options["x264-params"] = "cabac=1"
    if codec.name == "h265":
        options.setdefault("x265-params", "log-level=error")
    if codec.name == "vp9":  # libvpx: cpu-used is its speed; realtime from 5 is far faster
        options.update({"cpu-used": preset, "row-mt": "1",
                        "deadline": "realtime" if int(preset) >= 5 else "good"})
        if crf is not None:
            options["b"] = "0"  # constant quality
    if codec.name == "prores":
        options["profile"] = "4" if encoding.alpha else str(codec.presets.index(preset))
    if crf is not None:
        options["crf"] = str(crf)
    return options
