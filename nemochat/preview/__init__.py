"""Keyframe previews of videos: a contact sheet of a few frames
with their timestamps, and one line about the file.

- ``frames``: decode the frames (PyAV), seeking to keyframes;
- ``sheet``: the contact sheet as a PNG next to the video, and the line;
- ``detect``: which drawing the terminal understands (environment, then a
  device-attributes query with a short timeout);
- ``blocks``, ``kitty``, ``iterm``, ``sixel``: one writer per drawing;
- ``show``: build a preview off the event loop and hand it to a view;
- ``command`` and ``repl``: ``nemochat preview`` and ``/preview``.

PyAV and Pillow are imported only here, only when a preview is made, so
``nemochat --version`` and the time to the REPL's prompt do not pay for them.
"""
