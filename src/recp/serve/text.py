"""The page's own words in each language of the reports (``en``, ``zh``).

The reports carry their own translations (:mod:`recp.report.lang`); these are the labels of
the page around them: menus, buttons, headings.
"""

from __future__ import annotations

from recp.report.lang import languages

UI: dict[str, dict[str, str]] = {
    "en": {
        "title": "recp: cleaner production calculator",
        "plants": "Plants",
        "batch": "Programme batch",
        "compare": "Compare",
        "language": "Language",
        "start": "Start a plant from a sector template",
        "sector": "Sector",
        "create": "Create",
        "upload": "Upload a workbook (.xlsx) or scenario file (.yaml, .json)",
        "open": "Open",
        "your_plants": "Your plants",
        "none": "No plant yet.",
        "edit": "Edit",
        "remove": "Remove",
        "plant": "Plant",
        "flows": "Flows (per year)",
        "interventions": "Interventions",
        "changes": "Changes",
        "scenarios": "Scenarios",
        "save": "Save and check",
        "assess": "Assess",
        "ok": "No problem found: ready to assess.",
        "problems": "Problems to fix",
        "other_problems": "Problems elsewhere in the file",
        "see_fields": "Each problem is shown in red beside its field.",
        "catalogue": "Catalogue measures of this sector",
        "add": "Add",
        "yaml": "Everything as YAML (processes, balances, notes ...)",
        "save_yaml": "Save YAML",
        "delete": "delete",
        "report": "Report",
        "summary": "Summary",
        "warnings": "Warnings",
        "download": "Download",
        "full_report": "Full report",
        "back": "Back to the plant",
        "batch_help": "Upload a .zip of scenario files or of tidy tables "
        "(plants, flows, interventions .csv), or one tidy-tables workbook (.xlsx).",
        "run": "Run",
        "jobs": "Runs",
        "progress": "Progress",
        "state": "State",
        "errors": "Plants that failed",
        "compare_help": "Tick plants to put side by side (one plant: its scenarios).",
        "scenario": "Scenario (default: baseline)",
        "indicator": "Indicator",
        "unit": "Unit",
        "login": "Access token",
        "login_help": "This server is shared on a network: enter the access token you were given.",
        "enter": "Enter",
    },
    "zh": {
        "title": "recp：清洁生产计算器",
        "plants": "工厂",
        "batch": "项目批量评估",
        "compare": "比较",
        "language": "语言",
        "start": "从行业模板新建工厂",
        "sector": "行业",
        "create": "新建",
        "upload": "上传工作簿（.xlsx）或情景文件（.yaml、.json）",
        "open": "打开",
        "your_plants": "您的工厂",
        "none": "尚无工厂。",
        "edit": "编辑",
        "remove": "删除",
        "plant": "工厂",
        "flows": "物料与能源流（每年）",
        "interventions": "改进措施",
        "changes": "变化",
        "scenarios": "情景",
        "save": "保存并检查",
        "assess": "评估",
        "ok": "未发现问题：可以评估。",
        "problems": "需要修正的问题",
        "other_problems": "文件其他位置的问题",
        "see_fields": "每个问题以红色显示在其字段旁。",
        "catalogue": "本行业的措施目录",
        "add": "添加",
        "yaml": "全部内容（YAML：工艺、平衡、备注等）",
        "save_yaml": "保存 YAML",
        "delete": "删除",
        "report": "报告",
        "summary": "摘要",
        "warnings": "警告",
        "download": "下载",
        "full_report": "完整报告",
        "back": "返回工厂",
        "batch_help": "上传情景文件或整洁表格（plants、flows、interventions .csv）的 .zip，"
        "或一个整洁表格工作簿（.xlsx）。",
        "run": "运行",
        "jobs": "运行记录",
        "progress": "进度",
        "state": "状态",
        "errors": "失败的工厂",
        "compare_help": "勾选要并列比较的工厂（只选一个：比较其情景）。",
        "scenario": "情景（默认：基准）",
        "indicator": "指标",
        "unit": "单位",
        "login": "访问令牌",
        "login_help": "此服务器在网络上共享：请输入您获得的访问令牌。",
        "enter": "进入",
    },
}


#: Labels of the form fields (the document's key stays visible in the field's tooltip).
LABELS: dict[str, dict[str, str]] = {
    "en": {
        "plant.name": "Name", "plant.country": "Country", "plant.sector": "Sector",
        "plant.production": "Production per year", "currency": "Currency",
        "gwp": "GWP set", "grid_factor": "Grid factor (location)",
        "grid_cm": "Grid combined margin", "discount_rate": "Discount rate",
        "id": "id", "type": "type", "name": "name", "amount": "amount per year",
        "carrier": "fuel", "price": "price", "source": "water source", "route": "waste route",
        "hazardous": "hazardous", "measure": "catalogue measure", "category": "CP category",
        "capex": "capex", "opex": "opex change per year", "lifetime": "lifetime",
        "steps": "interventions, in order",
    },
    "zh": {
        "plant.name": "名称", "plant.country": "国家", "plant.sector": "行业",
        "plant.production": "年产量", "currency": "货币", "gwp": "GWP 数据集",
        "grid_factor": "电网排放因子（基于位置）", "grid_cm": "电网组合边际因子",
        "discount_rate": "折现率", "id": "编号", "type": "类型", "name": "名称",
        "amount": "年量", "carrier": "燃料", "price": "价格", "source": "水源",
        "route": "废物去向", "hazardous": "危险", "measure": "目录措施", "category": "清洁生产类别",
        "capex": "投资", "opex": "年运行费用变化", "lifetime": "寿命",
        "steps": "措施（按顺序）",
    },
}  # fmt: skip


def labels(lang: str) -> dict[str, str]:
    """Form labels in ``lang`` (English for anything missing)."""
    return {**LABELS["en"], **LABELS.get(lang, {})}


def ui(lang: str) -> dict[str, str]:
    """The page's labels in ``lang`` (English for anything missing)."""
    return {**UI["en"], **UI.get(lang, {})}


def page_languages() -> list[str]:
    """Languages offered: those the reports have.

    >>> page_languages()
    ['en', 'zh']
    """
    return [c for c in languages() if c in UI]
