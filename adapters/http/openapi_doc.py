"""The OpenAPI document says what errors look like: every operation's 4xx answers are RFC 9457 problem details
(``application/problem+json``), which is what ``problems.py`` sends, so a client (and the schemathesis fuzz test)
can hold the error bodies to a schema instead of FastAPI's default ``HTTPValidationError``."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI

PROBLEM_SCHEMA: dict[str, Any] = {
    "title": "Problem",
    "type": "object",
    "required": ["type", "title", "status", "detail", "code"],
    "properties": {
        "type": {"type": "string", "description": "a URI naming the kind of problem"},
        "title": {"type": "string"},
        "status": {"type": "integer", "minimum": 400, "maximum": 599},
        "detail": {"type": "string", "description": "what is wrong, with where (field, line, element) and why"},
        "code": {"type": "string", "pattern": "^[a-z][a-z0-9_]*$", "description": "stable snake_case code"},
        "request_id": {"type": "string", "description": "the X-Request-ID of the request, which its log lines carry"},
        "errors": {"type": "array", "items": {"type": "object", "properties": {
            "field": {"type": "string"}, "reason": {"type": "string"}, "type": {"type": "string"}}}},
    },
}
_PROBLEM_RESPONSE = {"description": "a problem (RFC 9457)", "content": {
    "application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}}


def document_problems(app: FastAPI) -> None:
    """Wrap ``app.openapi`` so that every operation documents its 4xx answers as problem details."""
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is not None:
            return app.openapi_schema
        schema = build()
        schema.setdefault("components", {}).setdefault("schemas", {})["Problem"] = PROBLEM_SCHEMA
        schema["components"]["schemas"].pop("HTTPValidationError", None)
        schema["components"]["schemas"].pop("ValidationError", None)
        for operations in schema.get("paths", {}).values():
            for operation in operations.values():
                responses = operation.setdefault("responses", {})
                responses.pop("422", None)
                responses["4XX"] = _PROBLEM_RESPONSE
        app.openapi_schema = schema
        return schema

    app.openapi = openapi  # type: ignore[method-assign]
