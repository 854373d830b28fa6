"""The studio: a live preview of a project in the browser (`parareel studio`).

server.py serves the page and its API; versions.py keeps the current version of the
project in a process of its own and reloads it on save; preview.py is that process.
"""
