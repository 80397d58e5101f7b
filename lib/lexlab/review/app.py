"""The review app: a FastAPI page over the review database's queue, most uncertain document first.

``/`` lists the queue; ``/doc/{id}`` shows a document with the model's spans highlighted and takes a decision:
accept (the model's spans are right), reject (nothing here is personal data), or edit (click a highlighted span
to drop it, select missed text and mark it), with a reason. Keys: ``a`` accept, ``r`` reject, ``m`` mark the
selection as missed, ``e`` save the edit, ``n`` next. Each decision is appended to the audit log before the
answer is sent (``lexlab.review.store``). ``/export/...`` gives the audit log (JSONL, CSV) and the reviews in
the training format. Served on 127.0.0.1 only: reviewers reach it through the machine, not the network.
"""
from __future__ import annotations

import html
import json
from pathlib import Path
from urllib.parse import quote

from fastapi import FastAPI, HTTPException
from fastapi.responses import HTMLResponse, PlainTextResponse, RedirectResponse
from pydantic import BaseModel, Field

from lexlab.review import store as store_mod

HOST = "127.0.0.1"
_STYLE = """
body{font-family:"Noto Sans KR","NanumGothic",sans-serif;margin:2em auto;max-width:60em;color:#222}
table{border-collapse:collapse;width:100%}td,th{border-bottom:1px solid #ddd;padding:.3em .5em;text-align:left}
#text{white-space:pre-wrap;line-height:1.9;font-size:1.05em;border:1px solid #ccc;padding:1em;border-radius:6px}
mark{background:#ffd54f;border-radius:3px;cursor:pointer}mark.removed{background:#eee;text-decoration:line-through}
mark.missed{background:#80deea}button{font-size:1em;margin-right:.5em;padding:.4em .9em}kbd{border:1px solid #999;
border-radius:3px;padding:0 .3em;font-size:.85em}.meta{color:#555}.pending{color:#b71c1c}.done{color:#1b5e20}
#status{margin-top:1em;font-weight:bold}
"""


class Decision(BaseModel):
    doc_id: str
    reviewer: str = Field(min_length=1)
    action: str
    spans: list[dict] = []
    reason: str = ""


def _page(title: str, body: str, reviewer: str) -> HTMLResponse:
    return HTMLResponse(
        f"<!doctype html><html lang=ko><head><meta charset=utf-8><title>{html.escape(title)}</title>"
        f"<style>{_STYLE}</style></head><body>"
        f"<p class=meta>lexlab review · reviewer <input id=reviewer value='{html.escape(reviewer)}' size=12> · "
        f"<a href='/'>queue</a> · export <a href='/export/audit.jsonl'>audit.jsonl</a> "
        f"<a href='/export/audit.csv'>audit.csv</a> <a href='/export/reviews.jsonl'>reviews.jsonl</a></p>"
        f"{body}<script>{_REVIEWER_JS}</script></body></html>")


_REVIEWER_JS = """
const who=document.getElementById('reviewer');
if(localStorage.getItem('reviewer'))who.value=localStorage.getItem('reviewer');
who.addEventListener('change',()=>localStorage.setItem('reviewer',who.value));
"""


def highlighted(text: str, spans: list[dict]) -> str:
    """The text, HTML-escaped, each span in a ``<mark>`` carrying its offsets."""
    out, pos = [], 0
    for i, s in enumerate(sorted(spans, key=lambda s: s["start"])):
        if s["start"] < pos:
            continue
        out.append(html.escape(text[pos:s["start"]]))
        out.append(f"<mark data-i={i} data-start={s['start']} data-end={s['end']}>"
                   f"{html.escape(text[s['start']:s['end']])}</mark>")
        pos = s["end"]
    out.append(html.escape(text[pos:]))
    return "".join(out)


def queue_page(store: store_mod.ReviewStore, reviewer: str) -> HTMLResponse:
    rows = []
    for n, d in enumerate(store.queue(), start=1):
        status = (f"<span class=done>{d['last_action']} ({html.escape(d['last_reviewer'])})</span>"
                  if d["last_action"] else "<span class=pending>pending</span>")
        rows.append(f"<tr><td>{n}</td><td><a href='/doc/{quote(d['doc_id'], safe='')}'>{html.escape(d['doc_id'])}</a>"
                    f"</td><td>{d['p']:.3f}</td><td>{d['uncertainty']:.3f}</td><td>{len(d['model_spans'])}</td>"
                    f"<td>{status}</td></tr>")
    pending = len(store.queue(pending_only=True))
    body = (f"<h1>Review queue</h1><p>{len(rows)} documents routed to a human, {pending} pending; most uncertain "
            "first (p: the ensemble's mean probability of personal data, uncertainty: its members' spread).</p>"
            "<table id=queue><tr><th>#</th><th>document</th><th>p</th><th>uncertainty</th><th>model spans</th>"
            f"<th>status</th></tr>{''.join(rows)}</table>")
    return _page("review queue", body, reviewer)


def document_page(store: store_mod.ReviewStore, doc_id: str, reviewer: str) -> HTMLResponse:
    d = store.document(doc_id)
    if d is None:
        raise HTTPException(404, f"no queued document {doc_id!r}")
    body = (f"<h1>{html.escape(doc_id)}</h1><p class=meta>model {html.escape(d['model_version'])} · "
            f"p {d['p']:.3f} · uncertainty {d['uncertainty']:.3f} · {len(d['model_spans'])} span(s) highlighted</p>"
            f"<div id=text>{highlighted(d['text'], d['model_spans'])}</div>"
            "<p><button id=accept><kbd>a</kbd> accept</button><button id=reject><kbd>r</kbd> reject (no personal "
            "data)</button><button id=mark><kbd>m</kbd> mark selection as missed</button><button id=edit><kbd>e"
            "</kbd> save edit</button><a id=next href='/next'><kbd>n</kbd> next</a></p>"
            "<p>reason <input id=reason size=60></p><p class=meta>click a highlighted span to drop it</p>"
            f"<div id=status></div><script>const DOC={json.dumps(doc_id)};{_DOC_JS}</script>")
    return _page(doc_id, body, reviewer)


_DOC_JS = """
const box=document.getElementById('text'), status=document.getElementById('status');
const missed=[];
box.addEventListener('click',e=>{if(e.target.tagName==='MARK'&&!e.target.classList.contains('missed'))
  e.target.classList.toggle('removed');});
function offset(node,off){const r=document.createRange();r.setStart(box,0);r.setEnd(node,off);return r.toString().length;}
function markSelection(){const s=window.getSelection();if(!s.rangeCount||s.isCollapsed)return;
  const r=s.getRangeAt(0);const a=offset(r.startContainer,r.startOffset),b=offset(r.endContainer,r.endOffset);
  if(b<=a)return;
  try{const m=document.createElement('mark');m.className='missed';r.surroundContents(m);}catch(err){}
  missed.push({start:a,end:b,kind:'missed'});s.removeAllRanges();
  status.textContent='missed span '+a+'..'+b+' marked: '+box.textContent.slice(a,b);}
function kept(){const out=[];box.querySelectorAll('mark:not(.removed):not(.missed)').forEach(m=>out.push(
  {start:+m.dataset.start,end:+m.dataset.end,kind:'model'}));return out.concat(missed);}
async function decide(action){
  const body={doc_id:DOC,reviewer:document.getElementById('reviewer').value,action:action,
    spans:action==='edit'?kept():[],reason:document.getElementById('reason').value};
  const res=await fetch('/api/decisions',{method:'POST',headers:{'Content-Type':'application/json'},
    body:JSON.stringify(body)});
  const out=await res.json();
  if(!res.ok){status.textContent='not saved: '+(out.detail||res.status);return;}
  status.textContent='saved #'+out.seq+' ('+action+')';status.dataset.seq=out.seq;
  if(out.next)setTimeout(()=>location.href='/doc/'+encodeURIComponent(out.next),400);
}
document.getElementById('accept').onclick=()=>decide('accept');
document.getElementById('reject').onclick=()=>decide('reject');
document.getElementById('edit').onclick=()=>decide('edit');
document.getElementById('mark').onclick=markSelection;
document.addEventListener('keydown',e=>{if(e.target.tagName==='INPUT')return;
  const k={a:()=>decide('accept'),r:()=>decide('reject'),e:()=>decide('edit'),m:markSelection,
    n:()=>location.href='/next'}[e.key];if(k){e.preventDefault();k();}});
"""


def create_app(db_path: str | Path, reviewer: str = "") -> FastAPI:
    store = store_mod.ReviewStore(db_path)
    app = FastAPI(title="lexlab review")

    @app.get("/", response_class=HTMLResponse)
    def index():
        return queue_page(store, reviewer)

    @app.get("/doc/{doc_id:path}", response_class=HTMLResponse)
    def doc(doc_id: str):
        return document_page(store, doc_id, reviewer)

    @app.get("/next")
    def next_doc():
        pending = store.queue(pending_only=True)
        return RedirectResponse(f"/doc/{quote(pending[0]['doc_id'], safe='')}" if pending else "/", status_code=303)

    @app.get("/api/queue")
    def api_queue():
        return store.queue()

    @app.post("/api/decisions")
    def api_decide(decision: Decision):
        try:
            entry = store.record(decision.doc_id, decision.reviewer, decision.action, decision.spans, decision.reason)
        except KeyError as exc:
            raise HTTPException(404, str(exc)) from exc
        except ValueError as exc:
            raise HTTPException(422, str(exc)) from exc
        pending = [d["doc_id"] for d in store.queue(pending_only=True)]
        return {**entry, "next": pending[0] if pending else None}

    @app.get("/export/audit.jsonl", response_class=PlainTextResponse)
    def audit_jsonl():
        return store_mod.to_jsonl(store.audit())

    @app.get("/export/audit.csv", response_class=PlainTextResponse)
    def audit_csv():
        return PlainTextResponse(store_mod.to_csv(store.audit()), media_type="text/csv")

    @app.get("/export/reviews.jsonl", response_class=PlainTextResponse)
    def reviews_jsonl():
        return store_mod.to_jsonl(store.training_records())

    app.state.store = store
    return app


def serve(db_path: str | Path, port: int = 8765, reviewer: str = "") -> None:
    """Serve the app on 127.0.0.1:``port`` until interrupted."""
    import uvicorn

    uvicorn.run(create_app(db_path, reviewer), host=HOST, port=port, log_level="warning")
