"""Factories for the shared core. Divisions are coherent: a child's code starts with its parent's prefix."""

import factory

from medinsure.accounts.models import Role, User
from medinsure.institutions.models import Institution
from medinsure.regions.models import Division

PASSWORD = "test-pass-123"


class DivisionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Division
        django_get_or_create = ["code"]

    code = "500116000000"
    name = "江津区"
    level = Division.Level.DISTRICT
    parent = None

    @classmethod
    def township(cls, district: Division, number: int, name: str | None = None) -> Division:
        return cls(
            code=f"{district.code[:6]}{number:03d}000",
            name=name or f"第{number}镇",
            level=Division.Level.TOWNSHIP,
            parent=district,
        )

    @classmethod
    def village(cls, township: Division, number: int, name: str | None = None) -> Division:
        return cls(
            code=f"{township.code[:9]}{number:03d}",
            name=name or f"{township.name}第{number}村",
            level=Division.Level.VILLAGE,
            parent=township,
        )

    @classmethod
    def grid(cls, village: Division, number: int) -> Division:
        return cls(
            code=f"{village.code}{number:03d}",
            name=f"{village.name}第{number}网格",
            level=Division.Level.GRID,
            parent=village,
        )


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ["username"]
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    last_name = factory.Sequence(lambda n: f"测试用户{n}")
    role = Role.OFFICE
    division = None
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class InstitutionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Institution
        django_get_or_create = ["code"]

    code = factory.Sequence(lambda n: f"H5001160{n:04d}")
    name = factory.Sequence(lambda n: f"测试医院{n}")
    kind = Institution.Kind.MEDICAL
    type = "综合医院"
    level = 2
