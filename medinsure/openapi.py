"""The OpenAPI schema's shared error responses: every operation documents the errors it can answer,
in the same shape everywhere (DRF's own error bodies), without each view listing them by hand.

- 400 when the operation takes a body or query parameters: ``{"字段名": ["错误信息", …]}`` (a list of
  such objects when the body is a list);
- 401 when it authenticates (no token, or a wrong one), 403 when a permission may refuse the caller,
  404 when the path names a row (or a paginated list may be asked for a page past its end),
  413 when the body is larger than the site accepts (medinsure.core's size guard), 415 when it comes in
  a media type the view does not parse, 429 when the view is throttled: ``{"detail": "…"}``.

A view that documents a code itself (``@extend_schema(responses={409: …})``) keeps its own.
"""

from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers
from rest_framework.permissions import AllowAny


class ErrorOut(serializers.Serializer):
    """DRF's error body for authentication, permission, not-found and throttling errors."""

    detail = serializers.CharField(help_text="错误说明（中文）")


_FIELD_ERRORS = {
    "type": "object",
    "description": "字段名 → 该字段的错误信息列表（整体错误在 non_field_errors 下）",
    "additionalProperties": {},
}
FIELD_ERRORS = OpenApiResponse(response=_FIELD_ERRORS, description="输入有误：按字段列出错误信息")
LIST_FIELD_ERRORS = OpenApiResponse(
    response={"oneOf": [_FIELD_ERRORS, {"type": "array", "items": _FIELD_ERRORS}]},
    description="输入有误：按字段列出错误信息（列表输入时逐条列出）",
)
NOT_AUTHENTICATED = OpenApiResponse(response=ErrorOut, description="未提供或提供了无效的身份凭证（Token）")
FORBIDDEN = OpenApiResponse(response=ErrorOut, description="当前角色或区域无权访问")
NOT_FOUND = OpenApiResponse(response=ErrorOut, description="不存在，或不在当前用户的区域内")
CONFLICT = OpenApiResponse(response=_FIELD_ERRORS, description="记录已被他人修改（版本冲突），请刷新后重试")
TOO_LARGE = OpenApiResponse(response=ErrorOut, description="提交的内容超过上限")
UNSUPPORTED_MEDIA_TYPE = OpenApiResponse(response=ErrorOut, description="不支持的请求体格式（Content-Type）")
THROTTLED = OpenApiResponse(response=ErrorOut, description="请求过于频繁，请稍后再试")


class AutoSchema(SpectacularAutoSchema):
    def get_operation(self, path, path_regex, path_prefix, method, registry):
        operation = super().get_operation(path, path_regex, path_prefix, method, registry)
        if operation is None:
            return None
        responses = operation.setdefault("responses", {})
        for code, response in self._error_responses(operation):
            if code not in responses:
                responses[code] = self._get_response_for_code(response, code)
        return operation

    def _error_responses(self, operation):
        view = self.view
        body = operation.get("requestBody")
        query = [p for p in operation.get("parameters", []) if p.get("in") == "query"]
        if body:
            request = self.get_request_serializer()
            many = getattr(request, "many", False) or isinstance(request, serializers.ListSerializer)
            yield "400", LIST_FIELD_ERRORS if many else FIELD_ERRORS
        elif query:
            yield "400", FIELD_ERRORS
        if view.get_authenticators():
            yield "401", NOT_AUTHENTICATED
        if any(not isinstance(p, AllowAny) for p in view.get_permissions()):
            yield "403", FORBIDDEN
        if "{" in self.path or (self._is_list_view() and self._get_paginator()):
            yield "404", NOT_FOUND
        if body:
            yield "413", TOO_LARGE
            yield "415", UNSUPPORTED_MEDIA_TYPE
        if view.get_throttles():
            yield "429", THROTTLED
