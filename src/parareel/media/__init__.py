"""Media: encoding segments, mixing audio, joining segments, probing files (PyAV)."""
