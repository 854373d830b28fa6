"""Drawing: a scene's node tree onto a skia canvas, and the frames of a range."""
