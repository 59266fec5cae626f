"""The default intelligent-audit rules (data a bureau edits on the rules page).

Item codes follow 全国医疗服务价格项目规范 (e.g. 1102… 床位费, 12… 一般检查治疗, 2… 临床诊断,
33… 手术); the lists below are starting points, not the national knowledge base."""

from django.db import migrations

RULES = [
    ("JG-CF-001", "医疗服务项目重复收费", "policy", "double_charging", "definite",
     "医疗保障基金使用监督管理条例第十五条：重复收费",
     {"contains": [["331301001", "120400001"], ["311201001", "110200001"]],
      "once_per_day": ["110200001", "110200002", "120100001"]}),
    ("JG-FJ-001", "分解项目收费", "policy", "split_charging", "suspicious",
     "医疗保障基金使用监督管理条例第十五条：分解项目收费",
     {"packages": [{"code": "250101015", "price": "30.00", "components": ["250101001", "250101002", "250101003"],
                    "min_components": 2}]}),
    ("JG-XB-001", "医疗服务项目区分性别使用", "policy", "sex_restricted", "definite",
     "规则库 GZ10000302004000 医疗服务项目区分性别使用",
     {"items": {"311100*": "M", "3114*": "F", "250203059": "M", "250203061": "F"}}),
    ("JG-NL-001", "医疗服务项目儿童专用", "policy", "age_restricted", "definite",
     "规则库 GZ10000302003000 医疗服务项目儿童专用",
     {"items": {"311503*": {"max": 17}, "120100006": {"max": 6}}}),
    ("JG-SL-001", "医疗服务项目限定频次", "medical", "quantity_limit", "suspicious",
     "规则库 GZ10000102014000 医疗服务项目限定频次",
     {"items": {"311201001": {"per_day": "1"}, "340200*": {"per_day": "2", "per_stay": "60"}}}),
    ("JG-ZY-001", "住院天数异常", "management", "inpatient_days", "definite",
     "床位费天数超过住院天数、费用日期在住院期间之外",
     {"bed_items": ["1102*"], "count_both_ends": False}),
    ("JG-DJ-001", "同一参保人同日在多家机构就诊", "management", "two_institutions_same_day", "suspicious",
     "同一时间多地就诊（冒名、借证就医线索）", {"include_pharmacies": False}),
    ("JG-MZ-001", "门诊转住院（低标准入院）", "medical", "short_admission", "suspicious",
     "住院2天以内且费用几乎全为检查检验、床位和护理",
     {"max_days": 2, "routine_items": ["1102*", "1201*", "2*"], "min_routine_share": "0.9"}),
]


def load(apps, schema_editor):
    AuditRule = apps.get_model("supervision", "AuditRule")
    for code, name, category, kind, result, basis, params in RULES:
        AuditRule.objects.get_or_create(code=code, defaults={
            "name": name, "category": category, "kind": kind, "result": result, "basis": basis, "params": params})


def unload(apps, schema_editor):
    apps.get_model("supervision", "AuditRule").objects.filter(code__in=[r[0] for r in RULES]).delete()


class Migration(migrations.Migration):
    dependencies = [("supervision", "0001_initial")]
    operations = [migrations.RunPython(load, unload)]
