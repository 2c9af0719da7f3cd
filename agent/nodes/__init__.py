"""The graph's nodes, one module per part of a shot's life (assembled in agent/graph.py).

understanding: read a message, ask one question · planning: compile the request, wait for a yes before a
final render · rendering: submit a request to the render target · critiquing: watch a take, revise the
request · delivering: announce the best take of a run · variations: N seeds as one request · storyboard:
approve, pick, reorder, remove.
"""
