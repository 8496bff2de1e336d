"""Simulated wall viewers: asyncio + httpx, posting the scene's live callback like the renderer."""

from __future__ import annotations

import asyncio
import json
import random
import time
from dataclasses import dataclass, field
from typing import Any

import httpx
import orjson

HEADERS = {"Content-Type": "application/json", "Accept-Encoding": "gzip"}


def stringify_id(id_: Any) -> str:
    """Dash's own id string: JSON with sorted keys, no spaces (see dash._utils.stringify_id)."""
    if isinstance(id_, dict):
        return "{" + ",".join(f"{json.dumps(k)}:{json.dumps(id_[k])}" for k in sorted(id_)) + "}"
    return id_


def parse_id(raw: str) -> Any:
    """The id object the renderer sends for a stringified id."""
    return json.loads(raw) if raw.startswith("{") else raw


def split_output(output: str) -> list[dict[str, Any]]:
    """Turn `..a.prop...b.prop..` into the renderer's `outputs` list."""
    parts = output[2:-2].split("...") if output.startswith("..") else [output]
    return [{"id": parse_id(p.rsplit(".", 1)[0]), "property": p.rsplit(".", 1)[1]} for p in parts]


def find_prop(node: Any, id_: Any, prop: str) -> Any:
    """Find a component by id in a serialised Dash layout and return one of its props."""
    if isinstance(node, list):
        for child in node:
            found = find_prop(child, id_, prop)
            if found is not None:
                return found
    elif isinstance(node, dict):
        props = node.get("props")
        if isinstance(props, dict):
            if props.get("id") == id_:
                return props.get(prop, "")
            return find_prop(props.get("children"), id_, prop)
    return None


@dataclass
class LiveCall:
    """Everything needed to build one scene's live-callback request body."""

    output: str
    outputs: list[dict[str, Any]]
    inputs: list[dict[str, Any]]  # first is the tick interval; the rest keep their layout value
    state: list[dict[str, Any]]  # the token store first
    token_key: str
    initial_token: str

    def body(self, n_intervals: int, token: str) -> bytes:
        """The POST body the renderer sends when the interval fires."""
        inputs = [dict(self.inputs[0], value=n_intervals), *self.inputs[1:]]
        state = [dict(self.state[0], value=token), *self.state[1:]]
        changed = f"{stringify_id(self.inputs[0]['id'])}.n_intervals"
        return orjson.dumps(
            {
                "output": self.output,
                "outputs": self.outputs,
                "inputs": inputs,
                "changedPropIds": [changed],
                "parsedChangedPropsIds": [self.inputs[0]["id"]],
                "state": state,
            }
        )


async def discover(client: httpx.AsyncClient, base: str, scene: str) -> LiveCall:
    """Read /_dash-dependencies once and the scene's layout (via the router) for input values."""
    deps = (await client.get(f"{base}/_dash-dependencies")).raise_for_status().json()
    tick = stringify_id({"scene": scene, "part": "tick"})
    live = next(
        (
            d
            for d in deps
            if any(i["id"] == tick and i["property"] == "n_intervals" for i in d["inputs"])
        ),
        None,
    )
    if live is None:
        raise LookupError(f"no callback takes {tick}.n_intervals: is scene {scene!r} enabled?")
    layout = await fetch_scene_layout(client, base, deps, scene)
    inputs = [
        {"id": parse_id(i["id"]), "property": i["property"]}
        | (
            {}
            if i["id"] == tick
            else {"value": find_prop(layout, parse_id(i["id"]), i["property"])}
        )
        for i in live["inputs"]
    ]
    state = [
        {
            "id": parse_id(s["id"]),
            "property": s["property"],
            "value": find_prop(layout, parse_id(s["id"]), s["property"]),
        }
        for s in live["state"]
    ]
    token_id = {"scene": scene, "part": "token"}
    if state[0]["id"] != token_id:
        raise LookupError(f"the live callback's first State is {state[0]['id']}, not {token_id}")
    return LiveCall(
        output=live["output"],
        outputs=split_output(live["output"]),
        inputs=inputs,
        state=state,
        token_key=stringify_id(token_id),
        initial_token=state[0]["value"] or "",
    )


async def fetch_scene_layout(
    client: httpx.AsyncClient, base: str, deps: list[dict[str, Any]], scene: str
) -> Any:
    """Ask the router callback for `/wall/<scene>`, as a browser does when it opens the page."""
    url_id = stringify_id({"scene": "shell", "part": "url"})
    route = next(d for d in deps if any(i["id"] == url_id for i in d["inputs"]))
    body = {
        "output": route["output"],
        "outputs": split_output(route["output"]),
        "inputs": [
            {"id": parse_id(i["id"]), "property": i["property"], "value": f"/wall/{scene}"}
            for i in route["inputs"]
        ],
        "changedPropIds": [f"{url_id}.pathname"],
        "state": [],
    }
    r = await client.post(
        f"{base}/_dash-update-component", content=orjson.dumps(body), headers=HEADERS
    )
    r.raise_for_status()
    return r.json()["response"]


def token_of(payload: dict[str, Any], key: str) -> str | None:
    """The token a 200 response carries, if any."""
    return ((payload.get("response") or {}).get(key) or {}).get("data")


def version_ms(token: str) -> int | None:
    """The render time (epoch ms) a token starts with, if it is one."""
    head = token.split(":", 1)[0]
    return int(head) if head.isdigit() else None


@dataclass
class Stats:
    """What the viewers saw during one run."""

    latencies_ms: list[float] = field(default_factory=list)
    update_ms: list[float] = field(default_factory=list)
    status: dict[int, int] = field(default_factory=dict)
    errors: int = 0
    timeouts: int = 0
    missed_ticks: int = 0
    wire_bytes: list[int] = field(default_factory=list)
    body_bytes: list[int] = field(default_factory=list)
    first_body_bytes: list[int] = field(default_factory=list)
    gzip_responses: int = 0
    # Decoded bytes per output ("part.prop") over later updates, and how often each was sent.
    output_bytes: dict[str, int] = field(default_factory=dict)
    output_sends: dict[str, int] = field(default_factory=dict)
    error_samples: list[str] = field(default_factory=list)

    def count_outputs(self, payload: dict[str, Any]) -> None:
        """Attribute a later update's bytes to the outputs it carried (to spot big patches)."""
        for raw_id, props in (payload.get("response") or {}).items():
            part = parse_id(raw_id).get("part", raw_id) if raw_id.startswith("{") else raw_id
            for prop, value in props.items():
                key = f"{part}.{prop}"
                self.output_bytes[key] = self.output_bytes.get(key, 0) + len(orjson.dumps(value))
                self.output_sends[key] = self.output_sends.get(key, 0) + 1

    def error(self, text: str) -> None:
        """Count an error and keep a few examples."""
        self.errors += 1
        if len(self.error_samples) < 5:
            self.error_samples.append(text[:300])


@dataclass
class Viewer:
    """One simulated browser tab on the scene."""

    call: LiveCall
    url: str
    stats: Stats
    naive: bool
    token: str = ""
    n: int = 0
    seen_first: bool = False

    async def poll(self, client: httpx.AsyncClient, timeout_s: float) -> None:
        """Fire the interval once: POST, record, keep the token like the token store does."""
        self.n += 1
        body = self.call.body(self.n, self.token)
        start = time.perf_counter()
        try:
            r = await client.post(self.url, content=body, headers=HEADERS, timeout=timeout_s)
        except httpx.TimeoutException:
            self.stats.timeouts += 1
            return
        except httpx.HTTPError as exc:
            self.stats.error(f"{type(exc).__name__}: {exc}")
            return
        elapsed_ms = (time.perf_counter() - start) * 1000
        self.stats.latencies_ms.append(elapsed_ms)
        self.stats.status[r.status_code] = self.stats.status.get(r.status_code, 0) + 1
        if r.status_code == 204:
            return
        if r.status_code != 200:
            self.stats.error(f"HTTP {r.status_code}: {r.text[:200]}")
            return
        self._record(r, elapsed_ms)

    def _record(self, r: httpx.Response, elapsed_ms: float) -> None:
        s = self.stats
        s.gzip_responses += r.headers.get("content-encoding", "") == "gzip"
        s.wire_bytes.append(r.num_bytes_downloaded)
        (s.body_bytes if self.seen_first else s.first_body_bytes).append(len(r.content))
        payload = orjson.loads(r.content)
        if self.seen_first:
            s.count_outputs(payload)
        token = token_of(payload, self.call.token_key)
        if token is None or token == self.token:
            return
        if self.seen_first:
            version = version_ms(token)
            if self.naive or version is None:
                s.update_ms.append(elapsed_ms)
            else:
                s.update_ms.append(time.time() * 1000 - version)
        self.token, self.seen_first = token, True

    async def run(
        self, client: httpx.AsyncClient, start: float, end: float, poll_s: float, timeout_s: float
    ) -> None:
        """Poll every `poll_s` from `start` until `end` (loop clock); a slow answer skips ticks."""
        loop = asyncio.get_running_loop()
        due = start
        while due < end:
            await asyncio.sleep(max(0.0, due - loop.time()))
            await self.poll(client, timeout_s)
            due += poll_s
            late = loop.time() - due
            if late > 0:
                skipped = int(late // poll_s) + 1
                self.stats.missed_ticks += skipped
                due += skipped * poll_s


async def run_viewers(
    base: str,
    call: LiveCall,
    viewers: int,
    seconds: float,
    poll_s: float,
    *,
    naive: bool,
    timeout_s: float = 10.0,
    max_connections: int = 256,
) -> tuple[Stats, float]:
    """Run `viewers` staggered viewers for `seconds`; return their stats and the wall time.

    Like browsers, each viewer keeps its own keep-alive connection (one client per viewer,
    up to `max_connections` clients shared round-robin): one shared httpx pool of hundreds
    of connections scans every connection per request and would make the client the
    bottleneck.
    """
    stats = Stats()
    pools = [
        # Plain HTTP to 127.0.0.1: verify=False skips loading the CA bundle 200 times.
        httpx.AsyncClient(limits=httpx.Limits(max_connections=1), timeout=timeout_s, verify=False)
        for _ in range(min(viewers, max_connections))
    ]
    try:
        loop = asyncio.get_running_loop()
        t0 = loop.time() + 0.2
        end = t0 + seconds
        rng = random.Random(viewers)
        url = f"{base}/_dash-update-component"
        tabs = [Viewer(call, url, stats, naive) for _ in range(viewers)]
        began = time.perf_counter()
        await asyncio.gather(
            *(
                tab.run(pools[i % len(pools)], t0 + rng.uniform(0, poll_s), end, poll_s, timeout_s)
                for i, tab in enumerate(tabs)
            )
        )
        wall = time.perf_counter() - began
    finally:
        await asyncio.gather(*(pool.aclose() for pool in pools))
    return stats, wall


async def first_view(base: str, call: LiveCall, deadline_s: float = 90.0) -> str:
    """Poll like a viewer until a 200 carries a token (the first view exists)."""
    stats = Stats()
    async with httpx.AsyncClient(timeout=15.0) as client:
        tab = Viewer(call, f"{base}/_dash-update-component", stats, naive=False)
        end = time.monotonic() + deadline_s
        while time.monotonic() < end:
            await tab.poll(client, 15.0)
            if tab.token:
                return tab.token
            await asyncio.sleep(0.5)
    raise TimeoutError(
        f"no view after {deadline_s:.0f} s (status counts {stats.status}, errors {stats.error_samples})"
    )
