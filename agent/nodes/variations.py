"""Variations: N seeds of the current spec as one request; all rendered and critiqued, the best delivered."""

from __future__ import annotations

import asyncio
from typing import Any

from langgraph.runtime import Runtime

from agent.compile import compile_shot
from agent.context import Context
from agent.events import Error, TakeReady
from agent.nodes.critiquing import critiques, run_critic
from agent.nodes.delivering import deliver_update
from agent.nodes.rendering import new_take_id, submit
from agent.revise import fingerprint, next_seed
from agent.spec import ShotSpec
from agent.state import AgentState, Job, RunResult, TakeRecord, fill_defaults
from generator.errors import Failure
from generator.request import RenderRequest
from tools.take import Take


async def variations(state: AgentState, runtime: Runtime[Context]) -> dict:
    """Render all N at once, critique all, deliver the best (the creator may pick another later)."""
    job, ctx, writer = state.job, runtime.context, runtime.stream_writer
    assert job is not None and state.spec is not None
    target = ctx.target(state.options)
    if isinstance(target, Failure):
        writer(Error(thread_id=ctx.thread_id, error_kind=target.kind, message=target.message))
        return {"result": RunResult(kind="error", error=target)}
    spec, filled = fill_defaults(state.spec, state.options)
    guide = ctx.guide_choice(state.options).first_guide
    base = compile_shot(spec, target.family, model=target.model, guide=guide).request
    requests = new_seeds(base, job.n, state.seen)
    outcomes = await asyncio.gather(
        *(submit(ctx, writer, r, job, attempt=i, slot="v", target=target) for i, r in enumerate(requests, 1))
    )
    records = take_records(ctx, writer, job, spec, requests, outcomes)
    if critiques(state):
        verdicts = await asyncio.gather(*(run_critic(ctx, writer, spec, r) for r in records))
        records = [r.model_copy(update={"critique": v}) for r, v in zip(records, verdicts, strict=True)]
    update: dict = {"takes": [*state.takes, *records], "seen": [*state.seen, *(fingerprint(r) for r in requests)]}
    if filled:
        update["spec"] = spec
    if not records:
        failure = next(o for o in outcomes if isinstance(o, Failure))
        return {**update, "result": RunResult(kind="error", error=failure)}
    return {**update, **deliver_update(state, ctx, writer, records)}


def new_seeds(base: RenderRequest, n: int, seen: list[str]) -> list[RenderRequest]:
    """N copies of the request with seeds that make each one differ from every request the thread has seen."""
    requests: list[RenderRequest] = []
    fingerprints = set(seen)
    salt = len(seen)
    while len(requests) < n:
        salt += 1
        request = base.model_copy(update={"seed": next_seed(base.seed, salt)})
        if fingerprint(request) not in fingerprints:
            fingerprints.add(fingerprint(request))
            requests.append(request)
    return requests


def take_records(
    ctx: Context,
    writer: Any,
    job: Job,
    spec: ShotSpec,
    requests: list[RenderRequest],
    outcomes: list[Take | Failure],
) -> list[TakeRecord]:
    """A record for each variation that rendered (announced as it is made); each failure is reported."""
    records: list[TakeRecord] = []
    for index, (request, outcome) in enumerate(zip(requests, outcomes, strict=True), 1):
        if isinstance(outcome, Failure):
            message = f"variation {index}: {outcome.message}"
            writer(Error(thread_id=ctx.thread_id, error_kind=outcome.kind, message=message))
            continue
        record = TakeRecord(
            take_id=new_take_id(),
            take=outcome,
            request=request,
            spec=spec,
            kind="variation",
            attempt=index,
            run_id=job.run_id,
            author=job.author,
            strategy="variation",
            changes=[f"seed {request.seed}"],
        )
        writer(
            TakeReady(
                thread_id=ctx.thread_id, take_id=record.take_id, take=outcome, attempt=index, take_kind="variation"
            )
        )
        records.append(record)
    return records
