from django.contrib import messages

from medinsure.jobs.outbox import WAITING_MESSAGE, waiting_in_request


class QueueNoticeMiddleware:
    """When work queued by this request could not reach the task queue (it stays in the outbox), the
    page says so: the work is recorded and will run once the queue is back."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = waiting_in_request.set([])
        try:
            response = self.get_response(request)
            if waiting_in_request.get() and hasattr(request, "_messages"):
                messages.warning(request, WAITING_MESSAGE)
            return response
        finally:
            waiting_in_request.reset(token)
