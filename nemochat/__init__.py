"""nemochat: a terminal client for NemoVideo's AI video agent.

Kept import-light on purpose: `nemochat --version` must not pay for httpx,
rich or prompt_toolkit. The library API lives in the subpackages:

- ``nemochat.core``: the pure (sans-I/O) core: SSE payloads to agent events,
  the turn state machine, intent routing, GUI translation, the draft model.
- ``nemochat.clients``: async HTTP clients for NemoVideo (and providers).
- ``nemochat.app``: the conversation and the flows built on the clients.
- ``nemochat.ui``: views (rich for people, JSON lines for scripts).
- ``nemochat.sim``: the simulator of every backend.
"""

__version__ = "0.1.0"
