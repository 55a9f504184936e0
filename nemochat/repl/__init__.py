"""The interactive REPL: ``nemochat`` with no command.

- ``loop``: the asyncio loop (prompt, turns, offers, questions, jobs);
- ``commands``: the slash commands, as one registry of data;
- ``completer``: tab completion driven by that registry;
- ``keys``: key bindings, history, the prompt session;
- ``live_view``: the streaming display (append-only blocks, a live tail);
- ``printer``: everything printed above the prompt, in order;
- ``jobs``: background jobs (export renders) and the toolbar's progress;
- ``choices``: one-key offers and lettered answers to the agent's questions;
- ``screen``: the prompt line, the live area and the bottom toolbar;
- ``texts``: the greeting and hints, in English and Chinese;
- ``sessions``: known sessions and past exchanges, from whatever store exists.
"""
