"""Puts the request's IP and path where ``audit_log`` finds them, for the length of the request."""

from medinsure.audit.services import current_request, request_context


class AuditContextMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = current_request.set(request_context(request))
        try:
            return self.get_response(request)
        finally:
            current_request.reset(token)
