"""What a date is the date of: promulgation, entry into force, publication, revision...

Decided from the words around the mention, nearest first:
1. a label right before it (``【発布期日】``, ``改訂版同``);
2. what follows at once (``第16次修訂``; ``）`` closing a citation of a web page; ``から…停止``);
3. a signature line (the date alone on its line, or after the issuer's name);
4. the first role word in the rest of its clause (``公布、施行`` gives both roles);
5. a date that leads into another (``10月9日及び12月1日に施行``) shares that one's role,
   an adverbial one (``11月7日、…発表された``) takes the sentence's final verb.
"""

from __future__ import annotations

import re

# Role words, searched in the clause after a date; the earliest wins.
_ROLE_WORDS: list[tuple[str, str]] = [
    # A consultation or a draft is not the instrument itself (本年2月…意見公募, 《弁法（草案）》).
    ("other", r"意見公募|意見募集|意见征求|征求意见|パブリックコメント|草案|意见稿"),
    ("suspended", r"一時停止|停止|暂停|中止"),
    ("repealed", r"廃止|废止|失効|失效"),
    ("revised", r"改訂|修訂|修订|修正|改正"),
    # 会议通过 / 可決: a legislature adopting a law enacts it.
    ("promulgated", r"公布|発布|颁布|发布|签署|署名|签发|通过|可決|採択"),
    ("effective", r"施行|実施|实施|導入|导入|発効|生效|適用開始"),
    ("published", r"公表|発表|发表|公開|公开|掲載|報道|発信"),
]
_ROLE_RE = re.compile("|".join(f"(?P<{name}>{pat})" for name, pat in _ROLE_WORDS))
_BOTH = re.compile(r"公布(?:し|、|・|，|及び|および|並びに|と|和|并)?(?:施行|実施|实施)")

_LABEL_REVISED = re.compile(r"(?:改訂[0-9０-９]*版|改正版|修訂版|修订版|修正版)同?$")
_LABEL_PROMULGATED = re.compile(
    r"(?:発布期日|発布日|公布日|公布日期|发布日期|发文日期|成文日期|署名日)】?[:：]?$"
)
_LABEL_EFFECTIVE = re.compile(r"(?:施行期日|施行日|実施日|实施日期|生效日期|施行日期)】?[:：]?$")
_AFTER_REVISED = re.compile(r"(?:第[0-9０-９一二三四五六七八九十]+次)?(?:修訂|修订|修正|改正)")
_CITATION_CLOSE = re.compile(r"[）)]")
_CITED_PAGE = re.compile(r"[）)](?:https?://|www\.)")
_FROM = ("から", "より", "起")
_UNTIL = ("まで",)
_UNTIL_BEFORE = ("至", "到", "截至")
_BY_AFTER = ("前", "之前", "以前")
_SUSPEND = r"一時停止|停止|暂停|中止"
_OBLIGATION = re.compile(r"应当|应该|应于|应在|应按|必须|须于|须在|要求|しなければならない")
# Particles and connectors: a window made only of these carries no meaning of its own.
_FILLER = re.compile(r"(?:には|に|は|、|，|,|及び|および|並びに|及|和|と|や|の|午前|午後|頃|ごろ)")
_INSTRUMENTS = re.compile(r"措置|規制|公告|通知|命令|弁法|办法|条例|決定|决定|規定|规定|法")
_ORG_SUFFIX = re.compile(
    r"(?:部|署|局|庁|院|省|委員会|委员会|政府|総署|总署|事務局|センター|中心|協会|协会|財団|机构)$"
)
# A signatory's title and name above the date: 中华人民共和国主席　习近平, 总理　李强, 部長 …
_SIGNATORY = re.compile(
    r"(?:主席|总理|總理|首相|部长|部長|署长|署長|局长|局長|大臣|主任|委員長|委员长|会长|会長|院长|"
    r"理事長|理事长)[ \t\u3000]*[\u4e00-\u9fff々]{2,5}$"
)
# A cited page's access date: （2024年10月9日閲覧）
_ACCESSED = ("閲覧", "最終閲覧", "アクセス", "访问", "查阅", "検索")
# Quotations skipped when looking for a date's verb; 《titles》 stay (《弁法（草案）》 matters).
_QUOTE_OPEN = "「『“"
_QUOTE_CLOSE = "」』”"


class RoleFinder:
    """Roles of the date mentions of one text (offsets in its squeezed form)."""

    def __init__(
        self,
        text: str,
        squeezed: str,
        offsets: list[int],
        mentions: list[tuple[int, int, str]],
        dateline_role: str = "promulgated",
    ) -> None:
        self.dateline_role = dateline_role  # a commentary's own date is its publication
        self.text = text
        self.squeezed = squeezed
        self.offsets = offsets
        self.mentions = mentions
        self._cache: dict[int, list[str]] = {}

    def roles(self, i: int, depth: int = 0) -> list[str]:
        if i not in self._cache:
            self._cache[i] = self._roles(i, depth)
        return self._cache[i]

    def _roles(self, i: int, depth: int) -> list[str]:
        start, end, kind = self.mentions[i]
        if kind == "relative:entry":
            return ["effective"]  # 本公告発効の日 names its own event
        s = self.squeezed
        before, after = s[max(0, start - 16) : start], s[end : end + 24]
        if _LABEL_REVISED.search(before):
            return ["revised"]
        if _LABEL_PROMULGATED.search(before):
            return ["promulgated"]
        if _LABEL_EFFECTIVE.search(before):
            return ["effective"]
        if _AFTER_REVISED.match(after):
            return ["revised"]
        if after.startswith(_ACCESSED):
            return ["published"]
        gloss_of = self._glossed(i)
        if gloss_of is not None and depth < 4:
            return self.roles(gloss_of, depth + 1)  # 2024年12月1日（令和6年12月1日）
        sentence = self._sentence_after(end)
        if re.search(_SUSPEND, sentence):
            if after.startswith(_FROM) or before.endswith("自"):
                return ["suspended_from"]
            if after.startswith(_UNTIL):
                return ["suspended_until"]
        clause_before = self._clause_before(start)
        # 暂停实施至2026年11月10日: the suspension word comes first in Chinese.
        if before.endswith(_UNTIL_BEFORE) and re.search(_SUSPEND, clause_before):
            return ["suspended_until"]
        # 应当于2025年12月31日前提交: a date an obligation must be met by.
        if after.startswith(_BY_AFTER) and _OBLIGATION.search(clause_before):
            return ["deadline"]
        if _CITED_PAGE.match(after) or (
            _CITATION_CLOSE.match(after) and not _ROLE_RE.search(self._paren_before(start))
        ):
            return ["published"]
        if self._is_signature(start, end):
            return [self.dateline_role]
        window, next_index = self._window(i)
        if kind == "dotted" and not _ROLE_RE.match(window[:4]):
            return ["published"]
        found = self._role_words(window)
        if found:
            return found
        if after.startswith("までに"):
            return ["deadline"]
        if _FILLER.sub("", window) == "" and depth < 4:
            if next_index is not None:
                return self.roles(next_index, depth + 1)
            last = self._final_role(sentence)
            if last:
                return last
        if after.startswith("の") and _INSTRUMENTS.search(window):
            return ["promulgated"]  # 本年4月4日の…規制措置: the instrument of that date
        return ["other"]

    def _glossed(self, i: int) -> int | None:
        """Index of the date that mention ``i`` restates in parentheses right after it."""
        if i == 0:
            return None
        start, end, _ = self.mentions[i]
        prev_end = self.mentions[i - 1][1]
        s = self.squeezed
        if s[prev_end:start] in ("（", "(") and s[end : end + 1] in ("）", ")"):
            return i - 1
        return None

    def _role_words(self, window: str) -> list[str]:
        m = _ROLE_RE.search(window)
        if not m:
            return []
        if m.lastgroup == "promulgated" and _BOTH.match(window, m.start()):
            return ["promulgated", "effective"]
        if m.lastgroup == "suspended":
            return ["other"]
        return [m.lastgroup or "other"]

    def _final_role(self, sentence: str) -> list[str]:
        """The role word nearest the end of a sentence: a Japanese sentence's main verb."""
        hits = list(_ROLE_RE.finditer(_strip_quotes(sentence)))
        if not hits:
            return []
        return self._role_words(sentence[hits[-1].start() :]) if hits[-1].lastgroup else []

    def _window(self, i: int) -> tuple[str, int | None]:
        """The clause after mention ``i``: up to 。, an unmatched closing bracket or the next date.

        Quotations are skipped whole (with any dates inside them), so ``同日に…が「…」と発表``
        reaches its verb.  Returns the clause and the index of the date that ended it, if any.
        """
        s = self.squeezed
        pos = self.mentions[i][1]
        nxt = i + 1
        out: list[str] = []
        depth_paren = 0
        limit = min(len(s), pos + 160)
        while pos < limit:
            while nxt < len(self.mentions) and self.mentions[nxt][0] < pos:
                nxt += 1  # dates inside a skipped quotation
            if nxt < len(self.mentions) and self.mentions[nxt][0] == pos:
                return "".join(out), nxt
            ch = s[pos]
            gloss_end = self._gloss_end(pos, nxt)
            if gloss_end is not None:
                pos, nxt = gloss_end, nxt + 1  # the same date again in another calendar
                continue
            if ch in _QUOTE_OPEN:
                out.append(ch)
                pos = _matching_close(s, pos)
                continue
            if ch == "。" and depth_paren == 0:
                break  # 。 inside （国務院令第792号。以下「条例」という。） ends no sentence
            if ch in "（(":
                depth_paren += 1
            elif ch in "）)】":
                if depth_paren == 0:
                    break
                depth_paren -= 1
            out.append(ch)
            pos += 1
        return "".join(out), None

    def _gloss_end(self, pos: int, nxt: int) -> int | None:
        """End of ``（date）`` when the bracket at ``pos`` holds nothing but the next date."""
        s = self.squeezed
        if s[pos] not in "（(" or nxt >= len(self.mentions):
            return None
        start, end, _ = self.mentions[nxt]
        if start == pos + 1 and s[end : end + 1] in ("）", ")"):
            return end + 1
        return None

    def _sentence_after(self, pos: int) -> str:
        end = self.squeezed.find("。", pos)
        return self.squeezed[pos : end if end != -1 else pos + 160]

    def _clause_before(self, start: int) -> str:
        """The sentence before ``start`` back to 。 or ；, at most 60 characters."""
        s = self.squeezed
        cut = max(s.rfind("。", 0, start), s.rfind("；", 0, start), start - 61)
        return s[cut + 1 : start]

    def _paren_before(self, start: int) -> str:
        s = self.squeezed
        open_at = max(s.rfind("（", 0, start), s.rfind("(", 0, start))
        return s[open_at + 1 : start] if open_at != -1 and start - open_at < 80 else ""

    def _is_signature(self, start: int, end: int) -> bool:
        """A date alone at the end of its printed line, after nothing or the issuer's name."""
        text = self.text
        o_start, o_end = self.offsets[start], self.offsets[end - 1] + 1
        line_start = text.rfind("\n", 0, o_start) + 1
        line_end = text.find("\n", o_end)
        rest = text[o_end : line_end if line_end != -1 else len(text)].strip()
        lead = text[line_start:o_start].strip()
        if rest:
            return False
        if not lead:
            # The issuer's name may close the previous paragraph when the PDF layer glued it on.
            lead = text[text.rfind("\n", 0, max(0, line_start - 1)) + 1 : line_start].strip()
            if line_end != -1 and _is_issuer_line(text[line_end + 1 :].split("\n", 1)[0]):
                return True  # a dateline above the issuer: 2024年10月15日 / 一般財団法人…センター
        lead = re.split(r"[。．]", lead)[-1].strip()
        if _SIGNATORY.search(lead) and len(lead) <= 30:
            return True
        return bool(_ORG_SUFFIX.search(lead)) and len(lead) <= 30


def _is_issuer_line(line: str) -> bool:
    """A short line naming an organisation (no sentence punctuation)."""
    line = line.strip()
    return (
        0 < len(line) <= 40
        and not re.search(r"[。、，：:]", line)
        and bool(_ORG_SUFFIX.search(line))
    )


def _matching_close(s: str, pos: int) -> int:
    """Position just after the bracket closing the one at ``pos`` (end of text if none)."""
    depth = 0
    for j in range(pos, min(len(s), pos + 400)):
        if s[j] in _QUOTE_OPEN:
            depth += 1
        elif s[j] in _QUOTE_CLOSE:
            depth -= 1
            if depth == 0:
                return j + 1
    return min(len(s), pos + 1)


def _strip_quotes(text: str) -> str:
    """Quoted material blanked out (same length), so offsets still line up."""
    out = list(text)
    depth = 0
    for j, ch in enumerate(text):
        if ch in _QUOTE_OPEN:
            depth += 1
        elif ch in _QUOTE_CLOSE and depth:
            depth -= 1
            out[j] = " "
            continue
        if depth:
            out[j] = " "
    return "".join(out)
