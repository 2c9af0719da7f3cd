"""Studio: the one facade every front end (terminal chat, demo, Discord bot) drives the agent through.

    async with Studio.open(settings.studio_config()) as studio:
        result = await studio.send("thread-1", "ana", "a red fox in the snow, slow pan left", on_event=print)

Each call is one run of the graph on the thread's checkpointed state; events stream to `on_event`
(a function or coroutine function taking one `agent.events.Event`). Calls on one thread are
serialised; different threads run concurrently. Render and critic failures come back as values
(`TurnResult.kind == "error"` and an `Error` event); a reference to a take or shot that does not
exist raises `StudioError` (a ValueError with a one-line message) before anything runs.

facade.py opens and assembles the Studio; its calls live by concern in conversation.py, storyboard.py and
reads.py; runs.py runs the graph; results.py holds what the calls return.
"""

from agent.studio.facade import Studio, default_critic
from agent.studio.results import Pending, StudioError, TurnResult

__all__ = ["Pending", "Studio", "StudioError", "TurnResult", "default_critic"]
