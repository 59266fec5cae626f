"""The demo district: its division tree and one user of every role (password DEMO_PASSWORD)."""

from django.conf import settings

from medinsure.accounts.models import Role
from medinsure.accounts.services import user_ensure
from medinsure.institutions.models import Institution
from medinsure.institutions.services import institution_ensure
from medinsure.regions.models import Division
from medinsure.regions.services import divisions_load_csv

DEMO_PASSWORD = "demo12345"
DIVISIONS_CSV = settings.BASE_DIR / "fixtures" / "regions" / "demo_district.csv"

# username, role, full name, division code (None = bureau-wide)
DEMO_USERS = [
    ("admin", Role.ADMIN, "系统管理员", None),
    ("leader", Role.LEADER, "王副局长", None),
    ("director", Role.DIRECTOR, "李局长", None),
    ("enroll", Role.ENROLLMENT, "参保征缴科 张敏", None),
    ("claims", Role.CLAIMS, "待遇保障科 刘洋", None),
    ("supervise", Role.SUPERVISION, "基金监管科 陈静", None),
    ("supervise_head", Role.SUPERVISION_HEAD, "基金监管科科长 赵刚", None),
    ("fund", Role.FUND, "规划财务科 孙丽", None),
    ("office", Role.OFFICE, "办公室 周文", None),
    ("township", Role.TOWNSHIP, "几江街道经办员 吴芳", "500116001000"),
    ("township2", Role.TOWNSHIP, "德感街道经办员 郑强", "500116002000"),
    ("village", Role.VILLAGE, "网格员 冯婷", "500116001001"),
    ("api", Role.API_CLIENT, "统计接口", None),
]

DEMO_INSTITUTIONS = [
    ("H50011600001", "江津区中心医院", Institution.Kind.MEDICAL, "综合医院", 3, "500116001000"),
    ("H50011600002", "江津区中医院", Institution.Kind.MEDICAL, "中医医院", 3, "500116002000"),
    ("H50011600003", "德感街道社区卫生服务中心", Institution.Kind.MEDICAL, "社区卫生服务中心", 1, "500116002000"),
    ("H50011600004", "白沙镇中心卫生院", Institution.Kind.MEDICAL, "乡镇卫生院", 1, "500116108000"),
    ("H50011600005", "江津区第二人民医院", Institution.Kind.MEDICAL, "综合医院", 2, "500116106000"),
    ("P50011600001", "几江大药房", Institution.Kind.PHARMACY, "零售药店", None, "500116001000"),
    ("P50011600002", "德感康民药店", Institution.Kind.PHARMACY, "零售药店", None, "500116002000"),
]


def load(*, stdout=None) -> None:
    result = divisions_load_csv(path=DIVISIONS_CSV)
    if stdout:
        stdout.write(f"行政区划：新增 {result['created']}，更新 {result['updated']}")
    divisions = {d.code: d for d in Division.objects.filter(level__in=["township", "village"])}
    for code, name, kind, type_, level, division_code in DEMO_INSTITUTIONS:
        institution_ensure(
            actor=None, code=code, name=name, kind=kind, type=type_, level=level, division=divisions.get(division_code)
        )
    for username, role, full_name, division_code in DEMO_USERS:
        user_ensure(
            actor=None,
            username=username,
            password=DEMO_PASSWORD,
            role=role,
            full_name=full_name,
            division=divisions.get(division_code) if division_code else None,
            is_staff=(role == Role.ADMIN),
            is_superuser=(role == Role.ADMIN),
        )
    hospital = Institution.objects.get(code=DEMO_INSTITUTIONS[0][0])
    user_ensure(
        actor=None,
        username="hospital",
        password=DEMO_PASSWORD,
        role=Role.INSTITUTION,
        institution=hospital,
        full_name="江津区中心医院医保办",
    )
