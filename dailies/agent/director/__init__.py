"""The director: turns each creator message into a change to the current ShotSpec.

`make_director(settings)` gives the offline director (default) or the LLM director; both implement
`Director.direct(message, author=..., base=..., history=..., storyboard=...) -> DirectorReply`.
"""
