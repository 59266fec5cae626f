"""Check a response of DRF's test client against the portal's own OpenAPI schema (/api/schema/), with
schemathesis: the status code is documented for the operation, and so are the content type and body."""

from functools import cache

import requests
import schemathesis
from django.test import Client
from schemathesis import Response


@cache
def api_schema():
    served = Client().get("/api/schema/?format=json")
    assert served.status_code == 200, served.content
    return schemathesis.openapi.from_dict(served.json())


def assert_documented(response, method: str, path: str) -> None:
    """`path` is the operation's template, e.g. "/api/v1/supervision/cases/{id}/"."""
    operation = api_schema()[path][method.upper()]
    request = requests.Request(method.upper(), f"http://testserver{response.request['PATH_INFO']}").prepare()
    operation.validate_response(
        Response(
            status_code=response.status_code,
            headers={name: [value] for name, value in response.items()},
            content=response.content,
            request=request,
            elapsed=0.0,
            verify=True,
        )
    )


def names_the_field(response, field: str) -> bool:
    """A 400 names the field: DRF's {"field": [...]}, or the query-string guard's (medinsure.core)
    {"detail": "查询参数“field”…"} for a control character."""
    body = response.json()
    return response.status_code == 400 and (list(body) == [field] or f"“{field}”" in body.get("detail", ""))
