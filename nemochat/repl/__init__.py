"""The interactive REPL: ``nemochat`` with no command.

- ``loop``: the asyncio loop: one prompt that stays up;
- ``turns``: what was typed, run as the task Ctrl-C cancels;
- ``interrupts``: Ctrl-C, SIGINT, Ctrl-D and leaving;
- ``frames``: when the prompt's area is redrawn (frame pacing, hints);
- ``commands``: the slash commands, as one registry of data;
- ``completer``: tab completion driven by that registry;
- ``keys``: key bindings, history, the prompt session;
- ``live_view``: the streaming display (append-only blocks, a live tail);
- ``printer``: everything printed above the prompt, in order;
- ``screen``: the prompt line, the live area and the bottom toolbar;
- ``connection``: token and session made in the background, credits;
- ``offers``: yes/no answered at the prompt with a line (offers, quit, cost confirmations);
- ``choices``: the pure rules of offers and lettered answers;
- ``jobs`` / ``background``: background jobs (exports, videos) and what they say;
- ``actions``: sessions, uploads, opening the video or the project page;
- ``providers``: /sora, /veo, /gateway;
- ``sessions``: known sessions and past exchanges, from whatever store exists;
- ``texts``: the greeting and hints, in English and Chinese.
"""
