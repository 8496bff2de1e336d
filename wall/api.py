"""HTTP API on the Flask server: ingest, health, and real JSON 404s under /api."""

from __future__ import annotations

import hmac
import logging
from typing import Any

import orjson
from flask import Flask, Response, request

from data_sources.ingest import StoreUnavailable, UnknownDataset

log = logging.getLogger(__name__)


def _json(body: Any, status: int = 200) -> Response:
    return Response(orjson.dumps(body), status=status, mimetype="application/json")


def _error(status: int, message: str, **extra: Any) -> Response:
    return _json({"error": message, **extra}, status)


def _presented_key() -> str:
    auth = request.headers.get("Authorization", "")
    if auth.lower().startswith("bearer "):
        return auth[7:].strip()
    return request.headers.get("X-API-Key", "")


def register_api(server: Flask, runtime: Any) -> None:
    """Add the ingest, health and API-404 routes."""
    cfg = runtime.settings.config.ingest

    @server.route("/api/v1/ingest/<dataset>", methods=["GET", "POST", "PUT", "PATCH", "DELETE"])
    def ingest(dataset: str) -> Response:
        if request.method != "POST":
            return _error(405, f"use POST to send records (got {request.method})")
        expected = runtime.settings.env(cfg.api_key_env)
        if not expected:
            return _error(
                401, f"ingest is disabled: set the environment variable {cfg.api_key_env}"
            )
        if not hmac.compare_digest(_presented_key().encode(), expected.encode()):
            return _error(401, "missing or wrong API key (send X-API-Key or Authorization: Bearer)")
        if (request.content_length or 0) > cfg.max_body_bytes:
            return _error(
                413, f"body too large: {request.content_length} bytes (limit {cfg.max_body_bytes})"
            )
        raw = request.stream.read(cfg.max_body_bytes + 1)
        if len(raw) > cfg.max_body_bytes:
            return _error(413, f"body too large (limit {cfg.max_body_bytes} bytes)")
        try:
            records = orjson.loads(raw)
        except orjson.JSONDecodeError as exc:
            return _error(400, f"body is not valid JSON: {exc}")
        if not isinstance(records, list):
            return _error(
                400, f"body must be a JSON array of records (got {type(records).__name__})"
            )
        if not records:
            return _error(400, "body is an empty array: send at least one record")
        if len(records) > cfg.max_records:
            return _error(413, f"too many records: {len(records)} (limit {cfg.max_records})")
        try:
            result = runtime.ingest.ingest(dataset, records)
        except UnknownDataset:
            from data_sources.datasets import DATASETS

            return _error(404, f"unknown dataset {dataset!r}", known=sorted(DATASETS))
        except StoreUnavailable as exc:
            log.warning("ingest of %s refused, store down: %s", dataset, exc)
            return _error(
                503, "the store is unavailable; nothing from this batch was accepted, retry later"
            )
        return _json(result.as_dict(), 200 if result.accepted else 422)

    @server.route("/healthz")
    def healthz() -> Response:
        sources = [h.as_dict() for h in runtime.health()]
        names = [n.product for s in runtime.scenes.values() for n in s.needs]
        snaps = runtime.read_many([f"snap:{n}" for n in names])
        products = {
            n: {k: (s or {}).get(k) for k in ("ok", "as_of", "failing_since", "label")}
            for n, s in zip(names, snaps, strict=True)
        }
        used = {n.source for s in runtime.scenes.values() for n in s.needs} | {cfg.store}
        for s in sources:
            s["used"] = s["name"] in used or s["kind"] in ("memory", "redis")
        ok = all(s["ok"] for s in sources if s["used"]) and all(p["ok"] for p in products.values())
        return _json(
            {"status": "ok" if ok else "degraded", "sources": sources, "products": products}
        )

    @server.route("/api/<path:rest>", methods=["GET", "POST", "PUT", "PATCH", "DELETE"])
    def api_not_found(rest: str) -> Response:
        return _error(404, f"no such API route: /api/{rest}")
