"""Captions from an SRT file over a video clip with music (about 10 s at 1080p30).

    parareel render examples/captions/project.py -o captions.mp4 --workers auto
    parareel render examples/captions/project.py -o captions.mp4 --var captions=talk.srt

Each subtitle is shown from its start time to its end time on a box sized to its text
(`Captions` reads SRT or WebVTT; `words=` takes word timings and highlights the spoken
word). A thin bar under the box runs out over the time a subtitle is shown. `captions`
is an SRT file beside the project (or an absolute path); `video` and `music` name the
backdrop's media, as in examples/seed.
"""

from parareel import Audio, Captions, Project, Rect, Video, wait


def captions(scene):
    video = scene.variables.get("video", "../seed/media/background.mp4")
    music = scene.variables.get("music", "../seed/media/music.m4a")
    clip = scene.add(Video(video, width=scene.width, height=scene.height, loop=True,
                           muted=True))
    clip.play()
    scene.play(Audio(music, loop=True, volume=0.5))
    subtitles = scene.add(Captions(scene.variables.get("captions", "captions.srt"),
                                   y=scene.height / 2 - 140, text_size=64))
    bar = scene.add(Rect(height=6, radius=3, fill="#ffd166", y=scene.height / 2 - 70))

    def left_of_cue() -> float:  # the share of the current subtitle's time still to come
        cue = subtitles.cue()
        return 0.0 if cue is None else (cue.end - scene.time) / (cue.end - cue.start)

    bar.width(lambda: 600 * left_of_cue())
    bar.opacity(lambda: 1.0 if subtitles.cue() else 0.0)
    yield from wait(subtitles.cues[-1].end + 0.85)


project = Project(scenes=[captions], size=(1920, 1080), fps=30, background="black")
