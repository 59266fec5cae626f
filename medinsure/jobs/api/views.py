from rest_framework import serializers
from rest_framework.generics import RetrieveAPIView

from medinsure.jobs.access import access_job_by_id
from medinsure.jobs.models import Job


class JobOut(serializers.ModelSerializer):
    percent = serializers.IntegerField(read_only=True)

    class Meta:
        model = Job
        fields = [
            "id",
            "kind",
            "title",
            "status",
            "total",
            "done",
            "percent",
            "message",
            "result",
            "created_at",
            "finished_at",
        ]


class JobDetail(RetrieveAPIView):
    serializer_class = JobOut

    def get_object(self):
        return access_job_by_id(self.request.user, self.kwargs["job_id"])
