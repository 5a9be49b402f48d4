"""factory_boy factories. They build rows directly; tests of behaviour then go through services and views."""

import itertools
from decimal import Decimal

import factory
from stdnum.cn import uscc

from marketplace.models import (
    District,
    Membership,
    OfficeStaff,
    Organisation,
    ServiceCategory,
    StreetOffice,
    Track,
    User,
)

_uscc_seq = itertools.count(1)


def make_uscc() -> str:
    body = f"51330108MJ{next(_uscc_seq):07d}"
    return body + uscc.calc_check_digit(body)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("email",)

    email = factory.Sequence(lambda n: f"user{n}@example.cn")
    username = factory.LazyAttribute(lambda o: o.email)
    password = factory.django.Password("correct horse battery")
    language = "zh-hans"


class DistrictFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = District
        django_get_or_create = ("name",)

    name = "滨江区"
    name_en = "Binjiang District"


class StreetOfficeFactory(factory.django.DjangoModelFactory):
    """Built directly; use marketplace.services.office_create when the office's catalogue folder matters."""

    class Meta:
        model = StreetOffice

    district = factory.SubFactory(DistrictFactory)
    name = factory.Sequence(lambda n: f"第{n}街道办事处")
    name_en = factory.Sequence(lambda n: f"Sub-district Office {n}")
    filed_budget_threshold = Decimal("100000.00")


class ServiceCategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ServiceCategory
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"category-{n}")
    name = factory.Sequence(lambda n: f"服务类别{n}")
    name_en = factory.Sequence(lambda n: f"Category {n}")


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"社会工作服务中心{n}")
    track = Track.REGISTERED
    uscc = factory.LazyFunction(make_uscc)
    legal_representative = "张三"
    registration_authority = "杭州市滨江区民政局"
    status = Organisation.Status.VERIFIED

    class Params:
        filed = factory.Trait(track=Track.FILED, uscc=None, home_office=factory.SubFactory(StreetOfficeFactory))

    @factory.post_generation
    def categories(self, create, extracted, **kwargs):
        if create and extracted:
            self.categories.set(extracted)


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    organisation = factory.SubFactory(OrganisationFactory)
    user = factory.SubFactory(UserFactory)
    role = Membership.Role.ADMIN


class OfficeStaffFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OfficeStaff

    office = factory.SubFactory(StreetOfficeFactory)
    user = factory.SubFactory(UserFactory)
    role = OfficeStaff.Role.PROCUREMENT
