"""Assets from paths, http:// and s3://: fetched once per worker, refetched when changed,
checked in the survey so that a broken one stops the render before any chunk runs."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import boto3
import numpy as np
import pytest

import parareel
from parareel import assets
from parareel.aws.handler import handler
from parareel.media.encode import Encoding
from tests.conftest import EXAMPLES, SUITE, decode
from tests.media_server import MEDIA

LOSSLESS = Encoding(lossless=True, preset="ultrafast")
@pytest.fixture(autouse=True)
def fresh_cache(tmp_path_factory, monkeypatch):
    monkeypatch.setenv("PARAREEL_CACHE", str(tmp_path_factory.mktemp("cache")))
    assets.forget()
    yield
    assets.forget()


@pytest.fixture(scope="module")
def local_media(tmp_path_factory):
    """The media case rendered from local paths: what every other source must give."""
    out = tmp_path_factory.mktemp("local") / "local.mp4"
    parareel.render(SUITE, out, variables={"case": "media"}, encoding=LOSSLESS)
    return decode(out)[1]


def test_http_assets_are_fetched_once_and_render_like_local_files(http, local_media, tmp_path):
    variables = {"case": "media", "video": f"{http.url}/bg.mp4",
                 "music": f"{http.url}/music.m4a", "image": f"{http.url}/logo.png"}
    out = tmp_path / "out.mp4"
    parareel.render(SUITE, out, variables=variables, workers=3, encoding=LOSSLESS)
    frames = decode(out)[1]
    assert all(np.array_equal(a, b) for a, b in zip(frames, local_media, strict=True))
    for name in ("/bg.mp4", "/music.m4a", "/logo.png"):  # the survey fetched; workers reused
        assert http.sent[name, 200] == 1, http.sent


def test_a_changed_object_is_fetched_again_and_an_unchanged_one_is_not(http, tmp_path):
    assets.resolve(f"{http.url}/logo.png")
    assets.resolve(f"{http.url}/bg.mp4")
    before = Counter(http.sent)
    http.files["/logo.png"] = (EXAMPLES / "seed" / "media" / "music.m4a").read_bytes()[:5000]
    try:
        assets.forget()  # as a worker does after REVALIDATE seconds
        fresh = assets.resolve(f"{http.url}/logo.png")
        assets.resolve(f"{http.url}/bg.mp4")
    finally:
        http.files["/logo.png"] = MEDIA["logo.png"].read_bytes()
    assert http.sent["/logo.png", 200] == before["/logo.png", 200] + 1
    assert http.sent["/bg.mp4", 200] == before["/bg.mp4", 200]
    assert http.sent["/bg.mp4", 304] == before["/bg.mp4", 304] + 1
    assert Path(fresh).stat().st_size == 5000


@pytest.fixture(scope="module")
def s3_media(stack):
    s3 = boto3.client("s3")
    for name, path in MEDIA.items():
        s3.upload_file(str(path), stack.bucket, f"media/{name}")
    return f"s3://{stack.bucket}/media"


def test_s3_assets_render_on_lambda_like_local_files(stack, s3_media, local_media, tmp_path):
    from parareel.engines.aws_lambda import LambdaEngine

    variables = {"case": "media", "video": f"{s3_media}/bg.mp4",
                 "music": f"{s3_media}/music.m4a", "image": f"{s3_media}/logo.png"}
    out = tmp_path / "out.mp4"
    parareel.render(SUITE, out, variables=variables, workers=3, encoding=LOSSLESS,
                    engine=LambdaEngine("parareel", stack.bucket))
    frames = decode(out)[1]
    assert all(np.array_equal(a, b) for a, b in zip(frames, local_media, strict=True))


BROKEN = {
    "404": ("{http}/missing.mp4", r"HTTP 404"),
    "unreachable host": ("http://127.0.0.1:9/bg.mp4", r"cannot reach"),
    "not media": ("{http}/not-media.mp4", r"not a video FFmpeg can read"),
    "missing S3 object": ("{s3}/missing.mp4", r"no such object"),
    "missing bucket": ("s3://no-such-bucket-here/bg.mp4", r"no such bucket"),
}


@pytest.mark.parametrize("case", list(BROKEN))
def test_a_broken_asset_stops_the_render_before_any_chunk(http, s3_media, stack, tmp_path, case):
    template, message = BROKEN[case]
    url = template.format(http=http.url, s3=s3_media)
    variables = {"case": "media", "video": url}
    with pytest.raises(parareel.SceneError, match=rf"scene 'suite' failed at frame 0: .*{message}"):
        parareel.render(SUITE, tmp_path / "out.mp4", variables=variables, workers=3)
    assert list(tmp_path.iterdir()) == []
    invocations = stack.lambda_server.stats.invocations
    body = handler({"jobType": "fullRender", "jobId": f"broken-{abs(hash(case))}",
                    "numWorkers": 3, "variables": variables})
    assert body["status"] == "error" and url.split("/")[-1] in body["errorMessage"]
    assert stack.lambda_server.stats.invocations == invocations  # no partialRender started


def test_a_changed_s3_object_is_fetched_again(stack, s3_media):
    s3 = boto3.client("s3")
    s3.put_object(Bucket=stack.bucket, Key="media/note.txt", Body=b"first")
    s3.put_object(Bucket=stack.bucket, Key="media/still.txt", Body=b"same")
    first, still = assets.resolve(f"{s3_media}/note.txt"), assets.resolve(f"{s3_media}/still.txt")
    inode = Path(still).stat().st_ino
    s3.put_object(Bucket=stack.bucket, Key="media/note.txt", Body=b"second")
    assets.forget()
    assert Path(assets.resolve(f"{s3_media}/note.txt")).read_bytes() == b"second"
    assert Path(assets.resolve(f"{s3_media}/still.txt")).stat().st_ino == inode  # not rewritten
    assert first == assets.resolve(f"{s3_media}/note.txt")  # one cache entry per URL


def test_a_refetched_image_is_drawn_anew_in_the_same_worker(http, tmp_path):
    import skia

    from parareel import Image, Project

    def scene(s):
        s.add(Image(f"{http.url}/logo.png", width=64, height=64))
        yield

    project = Project(scenes=[scene], size=(64, 64))
    before = next(parareel.frames(project))
    original = http.files["/logo.png"]
    red = np.zeros((8, 8, 4), np.uint8)
    red[..., 0] = red[..., 3] = 255
    http.files["/logo.png"] = bytes(skia.Image.fromarray(red).encodeToData(skia.kPNG, 100))
    try:
        assets.forget()  # as a warm worker does after REVALIDATE seconds
        after = next(parareel.frames(project))
    finally:
        http.files["/logo.png"] = original
    assert not np.array_equal(before, after) and after[32, 32, 0] == 255


def test_file_urls_name_files_and_other_schemes_are_refused_clearly(tmp_path):
    from parareel.errors import AssetError

    logo = tmp_path / "a folder" / "logo.png"
    logo.parent.mkdir()
    logo.write_bytes(MEDIA["logo.png"].read_bytes())
    assert assets.resolve(logo.as_uri(), "image") == str(logo)  # file:///.../a%20folder/...
    for url in ("ftp://example.com/logo.png", "gopher://127.0.0.1:1/", "data://x"):
        with pytest.raises(AssetError, match=r"image '[a-z]+://.*': [a-z]+:// is not a source "
                           r"parareel opens; name a file, or an http\(s\):// or s3:// URL"):
            assets.resolve(url, "image")
