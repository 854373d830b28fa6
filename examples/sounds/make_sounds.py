"""Synthesise the example sounds (run once; the WAV files are committed).

    python examples/sounds/make_sounds.py
"""

import wave
from pathlib import Path

import numpy as np

RATE = 44100  # deliberately not 48 kHz: the mixer resamples


def write(name: str, samples: np.ndarray) -> None:
    pcm = (np.clip(samples, -1, 1) * 32767).astype("<i2")
    with wave.open(str(Path(__file__).with_name(name)), "wb") as f:
        f.setnchannels(1)
        f.setsampwidth(2)
        f.setframerate(RATE)
        f.writeframes(pcm.tobytes())


def blip(seconds: float = 0.25, freq: float = 880.0) -> np.ndarray:
    t = np.arange(int(seconds * RATE)) / RATE
    return 0.5 * np.sin(2 * np.pi * freq * t) * np.exp(-t * 14)


def beat(bars: int = 2) -> np.ndarray:
    """Four-on-the-floor at 120 bpm: a pitched-down kick and a hi-hat tick."""
    step = RATE // 2
    t = np.arange(step) / RATE
    kick = 0.8 * np.sin(2 * np.pi * (50 + 90 * np.exp(-t * 30)) * t) * np.exp(-t * 8)
    hat = 0.15 * np.random.default_rng(7).uniform(-1, 1, step) * np.exp(-t * 60)
    return np.tile(kick + np.roll(hat, step // 2), 4 * bars)


if __name__ == "__main__":
    write("blip.wav", blip())
    write("beat.wav", beat())
