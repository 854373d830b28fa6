"""Make the seed example's media (run once; the files are committed).

    python examples/seed/make_media.py

- media/background.mp4: 10 s of 640x360 at 30 fps, H.264 with an AAC track of soft
  noise: drifting colour bands and circles drawn with numpy, encoded with PyAV.
- media/music.m4a: an 8 s loop at 44.1 kHz stereo (AAC): a chord progression with a
  plucked envelope and a kick on every beat, synthesised with numpy.

The seed's own project fetches a stock clip and an MP3 over https; these stand in for
them so that the example runs with no network.
"""

from fractions import Fraction
from pathlib import Path

import av
import numpy as np

HERE = Path(__file__).parent / "media"
W, H, FPS, SECONDS = 640, 360, 30, 10


def background_frame(i: int) -> np.ndarray:
    t = i / FPS
    y, x = np.mgrid[0:H, 0:W].astype(np.float32)
    r = 0.5 + 0.5 * np.sin(x / 90 + t * 0.9)
    g = 0.5 + 0.5 * np.sin(y / 70 - t * 0.7 + 1.0)
    b = 0.5 + 0.5 * np.sin((x + y) / 120 + t * 0.5 + 2.0)
    pixels = np.stack([r * 0.35, g * 0.25 + 0.1, b * 0.5 + 0.2], axis=-1)
    for k in range(5):  # slow circles
        cx = W / 2 + 220 * np.sin(t * (0.3 + 0.1 * k) + k)
        cy = H / 2 + 120 * np.cos(t * (0.4 + 0.07 * k) + 2 * k)
        mask = (x - cx) ** 2 + (y - cy) ** 2 < (30 + 8 * k) ** 2
        pixels[mask] = pixels[mask] * 0.4 + 0.6 * np.array([0.95, 0.75, 0.4])
    return (np.clip(pixels, 0, 1) * 255).astype(np.uint8)


def make_background() -> None:
    rng = np.random.default_rng(7)
    with av.open(str(HERE / "background.mp4"), "w", options={"movflags": "+faststart"}) as out:
        video = out.add_stream("libx264", rate=FPS, options={"crf": "30", "preset": "slow",
                                                             "g": "60"})
        video.width, video.height, video.pix_fmt = W, H, "yuv420p"
        audio = out.add_stream("aac", rate=48000, layout="stereo")
        for i in range(FPS * SECONDS):
            frame = av.VideoFrame.from_ndarray(background_frame(i), format="rgb24")
            frame.pts = i
            out.mux(video.encode(frame))
        out.mux(video.encode(None))
        noise = (rng.standard_normal((2, 48000 * SECONDS)) * 0.02).astype(np.float32)
        for first in range(0, noise.shape[1], 1024):
            block = np.ascontiguousarray(noise[:, first:first + 1024])
            frame = av.AudioFrame.from_ndarray(block, format="fltp", layout="stereo")
            frame.sample_rate, frame.pts, frame.time_base = 48000, first, Fraction(1, 48000)
            out.mux(audio.encode(frame))
        out.mux(audio.encode(None))


def make_music() -> None:
    rate, beat = 44100, 0.5
    t = np.arange(int(rate * 8)) / rate
    chords = [(220.0, 277.2, 329.6), (196.0, 246.9, 293.7), (174.6, 220.0, 261.6),
              (196.0, 246.9, 293.7)]
    song = np.zeros_like(t)
    for n, chord in enumerate(chords):
        part = (t >= 2 * n) & (t < 2 * n + 2)
        local = t[part] - 2 * n
        pluck = np.exp(-3 * (local % beat))
        song[part] += sum(np.sin(2 * np.pi * f * local) for f in chord) * pluck * 0.12
    kick_t = t % beat
    song += np.sin(2 * np.pi * 60 * kick_t * np.exp(-kick_t * 8)) * np.exp(-kick_t * 18) * 0.4
    stereo = np.stack([song, np.roll(song, 300)]).astype(np.float32)
    with av.open(str(HERE / "music.m4a"), "w") as out:
        stream = out.add_stream("aac", rate=rate, layout="stereo")
        stream.bit_rate = 128_000
        for first in range(0, stereo.shape[1], 1024):
            block = np.ascontiguousarray(stereo[:, first:first + 1024])
            frame = av.AudioFrame.from_ndarray(block, format="fltp", layout="stereo")
            frame.sample_rate, frame.pts, frame.time_base = rate, first, Fraction(1, rate)
            out.mux(stream.encode(frame))
        out.mux(stream.encode(None))


if __name__ == "__main__":
    HERE.mkdir(exist_ok=True)
    make_background()
    make_music()
    for path in sorted(HERE.iterdir()):
        print(f"{path.name}: {path.stat().st_size / 1024:.0f} KiB")
