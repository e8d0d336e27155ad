"""Curated English → CJK search terms that CC-CEDICT lacks or buries among other senses.

Only the vocabulary of the class of documents regwatch tracks: the bodies that issue export
control and trade texts, the kinds of instrument, and the recurring legal terms of Chinese laws
and Japanese statutes.  Keys are ``index.bilingual.phrase_key`` forms (lower case, plural
``s`` dropped); values are written in whichever script the documents use: the keyword tokens
are Han-folded, so 経済産業省 and 经济产业省 meet either way.
"""

from __future__ import annotations

TERMS: dict[str, tuple[str, ...]] = {
    # Issuing bodies
    "mofcom": ("商务部",),
    "ministry of commerce": ("商务部",),
    "gacc": ("海关总署",),
    "general administration of custom": ("海关总署",),
    "custom": ("海关",),
    "state council": ("国务院",),
    "miit": ("工业和信息化部",),
    "meti": ("経済産業省", "経済産業大臣"),
    "ministry of economy trade and industry": ("経済産業省",),
    "economy trade and industry": ("経済産業",),
    "cabinet office": ("内閣府",),
    "prime minister": ("内閣総理大臣",),
    "cistec": ("安全保障貿易情報センター",),
    # Kinds of instrument
    "law": ("法",),
    "act": ("法律", "法"),
    "basic act": ("基本法",),
    "cabinet order": ("政令", "施行令"),
    "enforcement order": ("施行令",),
    "ministerial ordinance": ("省令",),
    "regulation": ("条例", "规定"),
    "measure": ("办法",),
    "announcement": ("公告",),
    "notice": ("公告", "通知"),
    "appended table": ("別表",),
    "supplementary provision": ("附則", "附则"),
    # Recurring legal terms
    "fine": ("罚款", "罰金"),
    "penalty": ("罚款", "罰金", "处罚"),
    "imprisonment": ("拘禁刑", "懲役", "有期徒刑"),
    "fee": ("手数料", "费用"),
    "licence": ("许可", "許可"),
    "license": ("许可", "許可"),
    "permit": ("许可", "許可"),
    "approval": ("批准", "承認"),
    "enter into force": ("施行",),
    "take effect": ("施行",),
    "repeal": ("废止", "廃止"),
    "amendment": ("修正", "改正"),
    "definition": ("定义", "とは"),
    "term of office": ("任期",),
    "founder": ("发起人", "発起人"),
    "chair": ("議長", "委员长", "理事長"),
    "fiscal year": ("年度",),
    # Export control
    "export control": ("出口管制", "輸出管理"),
    "dual-use": ("两用",),
    "dual-use item": ("两用物项",),
    "end user": ("最终用户",),
    "end use": ("最终用途",),
    "control code": ("管制编码",),
    "hs code": ("海关商品编号", "税则号列"),
    "customs commodity number": ("海关商品编号",),
    "tariff line": ("税则号列",),
    "exporter": ("出口经营者",),
}
