"""The seed's project in parareel: a background clip, music, and a message over them.

    parareel render examples/seed/project.py -o seed.mp4 --var message="Hello!" --workers auto

A full-frame background video plays from its start (looping: the committed clip is
10 s long), music plays from the start, and after 1 s the `message` appears as white
text at size 50, grows to 100 over 4 s, and holds for 25 s: 30 s at 1080p30.

`video` and `music` name the media: paths relative to this file by default, or
http(s):// or s3:// URLs. The media were made by make_media.py beside this file.
"""

from parareel import Audio, Project, Text, Video, wait


def seed(scene):
    message = scene.variables.get("message", "Hello from parareel!")
    video = scene.variables.get("video", "media/background.mp4")
    music = scene.variables.get("music", "media/music.m4a")
    clip = scene.add(Video(video, width=scene.width, height=scene.height, loop=True,
                           muted=True))
    clip.play()
    scene.play(Audio(music, loop=True, volume=0.8))
    yield from wait(1.0)
    text = scene.add(Text(message, size=50, weight=600, fill="white"))
    yield from text.size.to(100, 4.0)
    yield from wait(25.0)


project = Project(scenes=[seed], size=(1920, 1080), fps=30, background="black")
