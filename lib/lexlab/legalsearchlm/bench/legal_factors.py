"""Legal factors of a criminal case, and LEGAR BENCH's stricter relevance built on them.

Two cases of the same crime under the same provision can still be far apart for a lawyer: a 50억 embezzlement
by a group of accomplices is not a 300만 원 one by a lone employee. LEGAR BENCH's *stricter* relevance therefore
annotates each case with an ordered list of factors (each with a closed list of options), and calls two cases
stricter-relevant when their factor keys agree. Exact agreement on every factor is rare, so the paper backs off:
the full key first, then ever shorter prefixes, until a group of at least two cases appears. The order of
factors is the order of legal weight, so backing off drops the least decisive factor first.

Annotators (one interface, ``annotate(case, category) -> {factor: option}``):

* :class:`LLMAnnotator` — any OpenAI-compatible endpoint through :class:`lexlab.models.llm_client.LLMClient` (cached on
  disk, so a re-run never pays twice), with the per-category factor/option lists in :data:`FACTOR_SCHEMAS`;
* :class:`RuleAnnotator` — offline, for the few factors a rule reads reliably from the text (amount of damage,
  habitual offence, attempt, accomplices, number of victims).
"""
from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import Any, Mapping, Protocol, Sequence

UNKNOWN = "불명"


@dataclass(frozen=True)
class Factor:
    """One legal factor: a name, what to ask about it, and its closed list of options (UNKNOWN is implied)."""

    name: str
    question: str
    options: tuple[str, ...]


# Factors every criminal case has. Amount buckets follow the thresholds the statutes themselves use
# (특정경제범죄법: 5억 and 50억) so that a bucket boundary is a legal boundary, not an arbitrary one.
AMOUNT_BUCKETS: tuple[tuple[float, str], ...] = (
    (1e7, "1천만원 미만"), (1e8, "1천만원-1억원"), (5e8, "1억원-5억원"), (5e9, "5억원-50억원"),
    (float("inf"), "50억원 이상"),
)
AMOUNT_OPTIONS = ("없음",) + tuple(label for _, label in AMOUNT_BUCKETS)

GENERIC: tuple[Factor, ...] = (
    Factor("미수", "범행이 기수에 이르렀는가, 미수에 그쳤는가?", ("기수", "미수")),
    Factor("공범", "단독범행인가, 공범(공모·공동정범·교사·방조)이 있는가?", ("단독", "공범")),
    Factor("상습", "상습범 또는 영업범으로 인정되었는가?", ("비상습", "상습")),
    Factor("피해금액", "범죄사실에 나타난 피해액·이득액(가장 큰 금액)은 어느 구간인가?", AMOUNT_OPTIONS),
    Factor("피해자수", "피해자는 몇 명인가?", ("없음", "1명", "2명 이상")),
)

# Category-specific factors, most decisive first. Written for this project from the kinds of distinctions
# sentencing guidelines draw; they are not a copy of the paper's lists.
_SPECIFIC: dict[str, tuple[Factor, ...]] = {
    "사기": (
        Factor("기망수단", "어떤 방법으로 기망하였는가?", ("차용·투자 빙자", "거래·용역 가장", "보험·보조금", "전기통신·보이스피싱",
                                             "컴퓨터등사용", "소송사기", "기타")),
        Factor("피해자유형", "피해자는 누구인가?", ("개인", "금융기관", "국가·공공기관", "기업", "다수 일반인")),
    ),
    "횡령/배임": (
        Factor("행위유형", "어떤 행위인가?", ("횡령", "업무상횡령", "배임", "업무상배임", "배임수증재")),
        Factor("지위", "행위자의 지위는?", ("임원·대표", "직원", "수탁자·보관자", "기타")),
        Factor("피해회복", "피해가 회복되었는가?", ("회복", "일부회복", "미회복")),
    ),
    "절도": (
        Factor("수법", "절취 방법은?", ("침입절도", "소매치기·날치기", "차량·차량내", "사무실·업무장소", "기타")),
        Factor("특수절도", "야간주거침입·흉기휴대·합동 등 가중요소가 있는가?", ("없음", "있음")),
    ),
    "상해/폭행": (
        Factor("결과", "피해 결과는?", ("폭행에 그침", "상해", "중상해", "사망")),
        Factor("위험한물건", "위험한 물건을 휴대·사용하였는가?", ("아니오", "예")),
        Factor("관계", "피해자와의 관계는?", ("모르는 사람", "지인", "가족·친족", "공무원", "업무관계")),
    ),
    "성범죄": (
        Factor("행위유형", "어떤 범행인가?", ("강간", "유사강간", "강제추행", "카메라등이용촬영", "통신매체·음란물", "성매매", "기타")),
        Factor("피해자연령", "피해자가 아동·청소년인가?", ("성인", "아동·청소년", "13세 미만")),
        Factor("관계", "피해자와의 관계는?", ("모르는 사람", "지인", "친족", "업무·고용관계")),
    ),
    "교통범죄": (
        Factor("유형", "어떤 교통범죄인가?", ("음주운전", "무면허운전", "사고후미조치·도주", "교통사고 치사상", "기타")),
        Factor("인명피해", "인명피해가 있는가?", ("없음", "상해", "사망")),
    ),
    "마약": (
        Factor("행위", "어떤 행위인가?", ("투약", "소지", "매매·수수", "수출입·제조", "기타")),
        Factor("약물", "어떤 약물인가?", ("필로폰", "대마", "마약", "기타 향정")),
    ),
    "명예훼손/모욕": (
        Factor("사실적시", "사실을 적시하였는가, 허위사실인가, 모욕인가?", ("진실한 사실", "허위사실", "모욕")),
        Factor("매체", "어떤 매체로 하였는가?", ("정보통신망", "출판물·언론", "구두·현장", "기타")),
        Factor("공익성", "공공의 이익을 위한 것이라는 주장이 받아들여졌는가?", ("아니오", "예")),
    ),
    "뇌물": (
        Factor("지위", "수수자의 지위는?", ("공무원", "공무원 의제자", "정치인", "기타")),
        Factor("행위", "어떤 행위인가?", ("수수", "공여", "알선수재", "제3자뇌물", "요구·약속")),
        Factor("부정처사", "부정한 행위(부정처사)가 있었는가?", ("아니오", "예")),
    ),
    "노동": (
        Factor("위반유형", "어떤 의무 위반인가?", ("임금·퇴직금 미지급", "근로시간·휴일", "부당해고·징계", "부당노동행위",
                                          "쟁의행위", "산업안전", "기타")),
        Factor("근로자성", "근로자성이 쟁점인가?", ("아니오", "예")),
        Factor("사업규모", "사업장 규모는?", ("5인 미만", "5인 이상", "대기업·공공")),
    ),
    "지식재산": (
        Factor("권리", "침해된 권리는?", ("저작권", "상표권", "특허권", "영업비밀", "부정경쟁행위", "기타")),
        Factor("행위", "침해 행위는?", ("복제·전송", "판매·유통", "사용", "누설·취득", "기타")),
        Factor("영리성", "영리 목적이 인정되었는가?", ("아니오", "예")),
    ),
    "금융/증권": (
        Factor("유형", "어떤 금융범죄인가?", ("미공개정보 이용", "시세조종", "부정거래", "공시위반", "무인가·미등록 영업",
                                        "접근매체 양도·대여", "신용카드 부정사용", "차명·실명제", "기타")),
        Factor("행위자", "행위자는 누구인가?", ("개인", "임직원", "법인")),
    ),
    "정보통신/개인정보": (
        Factor("유형", "어떤 범행인가?", ("정보통신망 침입", "개인정보 누설·제공", "개인정보 부정취득·이용", "악성프로그램",
                                      "스팸·광고", "통신비밀 침해", "기타")),
        Factor("행위자", "행위자는 누구인가?", ("개인", "정보통신서비스 제공자·처리자", "직원")),
    ),
    "조세/관세/외환": (
        Factor("유형", "어떤 범행인가?", ("조세포탈", "세금계산서", "밀수입·밀수출", "관세 포탈", "외환 신고 위반", "기타")),
    ),
    "업무방해": (
        Factor("수단", "방해 수단은?", ("위력", "위계", "허위사실 유포", "컴퓨터등 장애")),
        Factor("쟁의관련", "쟁의행위와 관련되는가?", ("아니오", "예")),
    ),
}


def schema_for(category: str) -> tuple[Factor, ...]:
    """The ordered factors of a category: its specific ones first (they carry more legal weight), then generic."""
    return _SPECIFIC.get(category, ()) + GENERIC


FACTOR_SCHEMAS: dict[str, tuple[Factor, ...]] = {cat: schema_for(cat) for cat in _SPECIFIC}


class Annotator(Protocol):
    name: str

    def factors(self, category: str) -> Sequence[Factor]: ...

    def annotate(self, case: Mapping[str, Any], category: str) -> dict[str, str]: ...


def factor_key(annotation: Mapping[str, str], factors: Sequence[Factor]) -> tuple[str, ...]:
    """The annotation as an ordered tuple (missing factors read as UNKNOWN)."""
    return tuple(str(annotation.get(f.name, UNKNOWN)) for f in factors)


def case_text(case: Mapping[str, Any]) -> str:
    """What an annotator reads: the findings of fact where a judgment states them, else the reasoning."""
    facts = str(case.get("facts") or "").strip()
    text = facts if facts else str(case.get("reasoning") or "")
    text = re.sub(r"<br\s*/?>", "\n", text, flags=re.I)
    return re.sub(r"[ \t]+", " ", text)


# ---------------------------------------------------------------------------------------------------------------
# Offline rules
# ---------------------------------------------------------------------------------------------------------------

_AMOUNT = re.compile(
    r"(?:(?P<jo>\d[\d,.]*)\s?조\s?)?(?:(?P<eok>\d[\d,.]*)\s?억\s?)?(?:(?P<cheonman>\d[\d,.]*)\s?천\s?만\s?|"
    r"(?P<man>\d[\d,.]*)\s?만\s?)?(?P<rest>\d[\d,]*)?\s?원"
)


def _num(s: str | None) -> float:
    if not s:
        return 0.0
    s = s.replace(",", "")
    try:
        return float(s)
    except ValueError:
        return 0.0


def amounts(text: str) -> list[float]:
    """Every money amount written in the text, in won ("3억 5,000만 원" → 350,000,000)."""
    out = []
    for m in _AMOUNT.finditer(text or ""):
        if not any(m.group(g) for g in ("jo", "eok", "cheonman", "man", "rest")):
            continue
        value = (_num(m.group("jo")) * 1e12 + _num(m.group("eok")) * 1e8 + _num(m.group("cheonman")) * 1e7
                 + _num(m.group("man")) * 1e4 + _num(m.group("rest")))
        if value > 0:
            out.append(value)
    return out


def amount_bucket(value: float | None) -> str:
    if not value:
        return "없음"
    for upper, label in AMOUNT_BUCKETS:
        if value < upper:
            return label
    return AMOUNT_BUCKETS[-1][1]


_ATTEMPT = re.compile(r"미수에\s?그(?:쳤|친|치)|미수범|미수죄|미수의\s?점")
_ACCOMPLICE = re.compile(r"공모하여|공모한|공모공동정범|공동정범|공범|공동하여|합동하여|순차\s?공모|교사하여|방조하여")
_HABITUAL = re.compile(r"상습(?:으로|적으로|범|성)|영업으로")
_VICTIM_ID = re.compile(r"피해자\s?(?:공소외\s?)?(\d+|[A-Z](?![a-zA-Z])|[가-힣]\s?○+)")


class RuleAnnotator:
    """The generic factors, read by rules: reliable because each is stated in fixed court phrasing.

    * 미수: "미수에 그쳤다", a 미수 charge, or 형법 제25조 in the applied law;
    * 공범: "공모하여", "공동정범", … or 형법 제30조–제32조 cited;
    * 상습: "상습으로", "영업으로", or a 상습 charge;
    * 피해금액: the largest amount stated in the findings of fact, in the statutes' own brackets;
    * 피해자수: distinct "피해자 N"/"피해자 공소외 N" mentions, or "피해자들".
    Category-specific factors need reading comprehension; this annotator reports them as UNKNOWN-free by
    simply not using them (its key is the generic factors only).
    """

    name = "rules"

    def factors(self, category: str) -> Sequence[Factor]:
        return GENERIC

    def annotate(self, case: Mapping[str, Any], category: str = "") -> dict[str, str]:
        text = case_text(case)
        title = re.sub(r"\s+", "", str(case.get("title") or ""))
        applied = str(case.get("applied_law_text") or "")
        flat_applied = re.sub(r"\s+", "", applied)
        attempt = "미수" in title or bool(_ATTEMPT.search(text)) or "형법제25조" in flat_applied
        accomplice = bool(_ACCOMPLICE.search(text)) or bool(re.search(r"형법제3[012]조", flat_applied))
        habitual = "상습" in title or bool(_HABITUAL.search(text))
        found = amounts(text)
        victims = {m.group(1) for m in _VICTIM_ID.finditer(text)}
        if "피해자들" in text or len(victims) >= 2:
            n_victims = "2명 이상"
        elif victims or "피해자" in text:
            n_victims = "1명"
        else:
            n_victims = "없음"
        return {
            "미수": "미수" if attempt else "기수",
            "공범": "공범" if accomplice else "단독",
            "상습": "상습" if habitual else "비상습",
            "피해금액": amount_bucket(max(found) if found else None),
            "피해자수": n_victims,
        }


# ---------------------------------------------------------------------------------------------------------------
# LLM backend
# ---------------------------------------------------------------------------------------------------------------

class LLMAnnotator:
    """Factor annotation by an instruction-following model, with the category's factor/option lists.

    The model must answer one JSON object ``{factor: option}``; an option outside the list is re-asked (the
    client's ``validate`` hook) and finally read as UNKNOWN. Requests are cached by the client, keyed by the exact
    messages, so re-building the benchmark costs nothing the second time.
    """

    name = "llm"

    def __init__(self, client: Any = None, *, max_chars: int = 4000, on_error: str = "unknown", **client_kwargs: Any):
        if on_error not in ("unknown", "raise"):
            raise ValueError(f"on_error must be 'unknown' or 'raise', not {on_error!r}")
        if client is None:
            from lexlab.models.llm_client import LLMClient

            client = LLMClient(**client_kwargs)
        self.client = client
        self.max_chars = max_chars
        self.on_error = on_error
        self.failures = 0  # cases read as all-UNKNOWN because the endpoint never gave a valid answer

    def factors(self, category: str) -> Sequence[Factor]:
        return schema_for(category)

    def messages(self, case: Mapping[str, Any], category: str) -> list[dict[str, str]]:
        lines = []
        for f in self.factors(category):
            opts = " | ".join(f.options + (UNKNOWN,))
            lines.append(f'- "{f.name}": {f.question} 선택지: {opts}')
        text = case_text(case)[: self.max_chars]
        system = ("당신은 형사 판결문을 분석하는 법률 전문가입니다. 판결문에 나타난 사실만으로 각 법적 요소의 선택지를 "
                  "하나씩 고르십시오. 판단할 수 없으면 '불명'을 고르십시오. 답은 JSON 객체 하나로만 하십시오.")
        user = (f"범죄 유형: {category}\n\n법적 요소:\n" + "\n".join(lines) +
                f"\n\n판결문:\n{text}\n\n출력 형식: {{\"요소 이름\": \"선택지\", ...}}")
        return [{"role": "system", "content": system}, {"role": "user", "content": user}]

    def annotate(self, case: Mapping[str, Any], category: str) -> dict[str, str]:
        factors = self.factors(category)

        def validate(obj: dict) -> None:
            bad = [f.name for f in factors if f.name in obj and str(obj[f.name]) not in f.options + (UNKNOWN,)]
            if bad:
                raise ValueError(f"options outside the lists for {bad}")

        from lexlab.models.llm_client import LLMError

        try:
            obj = self.client.complete_json(self.messages(case, category), validate=validate)
        except LLMError:
            if self.on_error == "raise":
                raise
            self.failures += 1  # skip-and-report: the stats carry the count
            obj = {}
        out = {}
        for f in factors:
            value = str(obj.get(f.name, UNKNOWN))
            out[f.name] = value if value in f.options else UNKNOWN
        return out


def make_annotator(backend: str, **kwargs: Any) -> Annotator | None:
    """"none" → None (standard relevance only), "rules" → RuleAnnotator, "llm"/"openai" → LLMAnnotator."""
    backend = (backend or "none").lower()
    if backend in ("none", "off", ""):
        return None
    if backend in ("rules", "rule", "offline"):
        return RuleAnnotator()
    if backend in ("llm", "openai"):
        return LLMAnnotator(**kwargs)
    raise ValueError(f"unknown annotator backend {backend!r}: use none, rules or llm")


# ---------------------------------------------------------------------------------------------------------------
# Grouping
# ---------------------------------------------------------------------------------------------------------------

def group_by_prefix(keys: Mapping[str, Sequence[str]], min_size: int = 2) -> dict[str, tuple[str, ...]]:
    """The paper's grouping: each case joins the group of its longest key prefix shared by ≥ ``min_size`` cases.

    Start with the full key; a case whose full key is shared by at least ``min_size`` cases (itself included)
    is grouped by it. The rest back off one factor at a time. A case that finds no partner even on the first
    factor stays ungrouped (absent from the result). Returns case id → group key (a prefix).
    """
    keys = {k: tuple(v) for k, v in keys.items()}
    assigned: dict[str, tuple[str, ...]] = {}
    longest = max((len(v) for v in keys.values()), default=0)
    for length in range(longest, 0, -1):
        counts = Counter(v[:length] for v in keys.values() if len(v) >= length)
        for cid, key in keys.items():
            if cid not in assigned and len(key) >= length and counts[key[:length]] >= min_size:
                assigned[cid] = key[:length]
    return assigned


def groups(assignment: Mapping[str, tuple[str, ...]]) -> dict[tuple[str, ...], list[str]]:
    """Invert :func:`group_by_prefix`: group key → member ids (sorted)."""
    out: dict[tuple[str, ...], list[str]] = defaultdict(list)
    for cid, key in assignment.items():
        out[key].append(cid)
    return {k: sorted(v) for k, v in out.items()}


def stricter_matches(query_key: Sequence[str], candidate_keys: Mapping[str, Sequence[str]]) -> tuple[int, list[str]]:
    """For one query: the longest prefix length shared with at least one candidate, and those candidates.

    The query and its matches form a group of ≥ 2 — the per-query view of :func:`group_by_prefix`, restricted to
    the query's standard-relevant candidates (so the stricter set is always a subset of the standard one).
    Returns (0, []) when no candidate shares even the first factor.
    """
    query_key = tuple(query_key)
    for length in range(len(query_key), 0, -1):
        prefix = query_key[:length]
        hits = sorted(c for c, k in candidate_keys.items() if tuple(k)[:length] == prefix)
        if hits:
            return length, hits
    return 0, []


def stricter_qrels(queries, corpus, qrels, decisions, annotator: Annotator, progress: bool = True):
    """Annotate queries and their standard-relevant candidates; keep candidates in the query's factor group.

    Returns (qrels_stricter, stats). Cases are annotated once each, from their decision row (facts/reasoning,
    title and applied law — the annotation describes the case, it is never shown to a retriever).
    """
    from tqdm.auto import tqdm

    rows = {str(r["case_id"]): r for r in decisions.to_dict("records")}
    category = dict(zip(queries["id"], queries["category"]))
    needed: dict[str, str] = {}
    for qid in queries["id"]:
        needed[qid] = category[qid]
        for cid in qrels.get(qid, {}):
            needed.setdefault(cid, category[qid])
    keys: dict[str, tuple[str, ...]] = {}
    for cid, cat in tqdm(sorted(needed.items()), desc=f"factors ({annotator.name})", disable=not progress,
                          mininterval=2.0):
        ann = annotator.annotate(rows[cid], cat)
        keys[cid] = factor_key(ann, annotator.factors(cat))
    out: dict[str, dict[str, int]] = {}
    lengths: list[int] = []
    group_ids: set[tuple] = set()
    for qid, charge in zip(queries["id"], queries["charge"]):
        cands = {c: keys[c] for c in qrels.get(qid, {})}
        length, hits = stricter_matches(keys[qid], cands)
        if hits:
            out[qid] = {c: 1 for c in hits}
            lengths.append(length)
            group_ids.add((charge, keys[qid][:length]))
    # Corpus-level view: the paper's grouping over every annotated case, per charge.
    by_charge: dict[str, dict[str, tuple[str, ...]]] = defaultdict(dict)
    charge_of = dict(zip(corpus["id"], corpus["charges"]))
    for cid, key in keys.items():
        charges = charge_of.get(cid, ())
        if len(charges) == 1:
            by_charge[charges[0]][cid] = key
    n_groups, n_grouped = 0, 0
    for charge_keys in by_charge.values():
        g = groups(group_by_prefix(charge_keys))
        n_groups += len(g)
        n_grouped += sum(len(v) for v in g.values())
    full_len = Counter(len(keys[q]) for q in out)
    stats = {
        "annotator": annotator.name,
        "annotator_failures": int(getattr(annotator, "failures", 0)),
        "annotated_cases": len(keys),
        "stricter_queries": len(out),
        "stricter_query_groups": len(group_ids),
        "stricter_groups": n_groups,
        "stricter_grouped_cases": n_grouped,
        "mean_stricter_relevant": (sum(len(v) for v in out.values()) / len(out)) if out else 0.0,
        "mean_stricter_prefix_len": (sum(lengths) / len(lengths)) if lengths else 0.0,
        "stricter_full_key_matches": sum(1 for q, l in zip(out, lengths) if l == len(keys[q])),
        "factor_key_lengths": dict(full_len),
    }
    return out, stats
