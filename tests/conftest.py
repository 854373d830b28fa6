"""Shared fixtures: small projects and decoding helpers (real encodes, real decodes)."""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import pytest

from parareel import Circle, Project, Rect, easing, parallel, wait

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
SUITE = str(Path(__file__).resolve().parent / "projects" / "suite.py")


@dataclass(frozen=True)
class StreamInfo:
    """What a test reads of a video stream, copied while its file is open."""

    width: int
    height: int
    average_rate: Fraction
    time_base: Fraction
    duration: int


def decode(path) -> tuple[list[int], list[np.ndarray], StreamInfo]:
    """Every frame of the file's video stream as RGB arrays, with their pts in frames."""
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        tb = stream.time_base
        fps = stream.average_rate
        pts, frames = [], []
        for frame in container.decode(stream):
            pts.append(round(frame.pts * tb * fps))
            frames.append(frame.to_ndarray(format="rgb24"))
        # the stream dies with its container: reading it after is reading freed memory
        info = StreamInfo(stream.width, stream.height, fps, tb, stream.duration)
    return pts, frames, info


def psnr(a: np.ndarray, b: np.ndarray) -> float:
    mse = np.mean((a.astype(np.float64) - b.astype(np.float64)) ** 2)
    return float("inf") if mse == 0 else 10 * np.log10(255**2 / mse)


def moving_scene(scene):
    """A square crosses the frame while a circle grows: every frame differs."""
    box = scene.add(Rect(width=60, height=60, fill="#ff0000", x=-140))
    dot = scene.add(Circle(radius=10, fill="#00ff00", y=40))
    seconds = scene.variables.get("seconds", 1.0)
    yield from parallel(box.x.to(140, seconds, easing.linear), dot.radius.to(40, seconds))
    yield from wait(0.25)


def small_project(fps: int = 30, scenes=(moving_scene,)) -> Project:
    return Project(scenes=list(scenes), size=(320, 180), fps=fps, background="#101010")


@pytest.fixture(scope="session", autouse=True)
def block_cache(tmp_path_factory):
    """The block cache of this session's renders (and of the commands they run): never
    the user's own."""
    import os

    folder = tmp_path_factory.mktemp("block-cache")
    saved = os.environ.get("PARAREEL_CACHE")
    os.environ["PARAREEL_CACHE"] = str(folder)
    yield folder
    if saved is None:
        os.environ.pop("PARAREEL_CACHE", None)
    else:
        os.environ["PARAREEL_CACHE"] = saved


@pytest.fixture
def project() -> Project:
    return small_project()


@pytest.fixture(scope="session")
def stack(tmp_path_factory):
    """The dev stack (SeaweedFS and the Lambda endpoint), its function rendering SUITE.

    This process is a client, and also calls the handler directly as the function
    would run it; the environment is restored afterwards.
    """
    import os

    from parareel.aws.dev import DevStack

    stack = DevStack(tmp_path_factory.mktemp("dev"), SUITE, concurrency=6, timeout=120,
                     extra_env={"PARAREEL_TEST_FAULTS": "1", "PARAREEL_RETRIES": "3"})
    stack.start()
    env = {**stack.env, "PARAREEL_PROJECT": SUITE, "AWS_LAMBDA_FUNCTION_NAME": "parareel",
           "PARAREEL_ASSET_BUCKETS": stack.bucket, "PARAREEL_TEST_FAULTS": "1"}
    saved = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    yield stack
    for key, value in saved.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value
    stack.stop()


@pytest.fixture(scope="session")
def lam(stack):
    """A Lambda client of the dev stack, with botocore's standard single retry."""
    import boto3
    from botocore.config import Config

    return boto3.client("lambda", config=Config(read_timeout=600,
                                                retries={"max_attempts": 1, "mode": "standard"}))


@pytest.fixture(scope="session")
def s3(stack):
    import boto3

    return boto3.client("s3")


@pytest.fixture(scope="session")
def ray_cluster():
    """A real local Ray cluster, started once for the session."""
    import ray
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, configure_logging=False)
    yield ray
    ray.shutdown()


@pytest.fixture(scope="module")
def http():
    """A local HTTP server of the example media (tests/media_server.py)."""
    from tests.media_server import Files

    files = Files()
    yield files
    files.close()


@pytest.fixture
def roomy(stack):
    """Room for every chunk of the seed event (25 and its main) and for environments
    hung by earlier tests (busy for up to 20 s, HANG_SECONDS): a throttled chunk would be
    rendered by the main itself, and so escape the fault the test injects."""
    function = stack.lambda_server.functions["parareel"]
    before, function.concurrency = function.concurrency, 40
    yield
    function.concurrency = before
