import type { Board, BoardEnvironment } from './model';
import { REASON_LABEL, STATE_LABEL, short, sinceText, waitingLine, waitingName, when } from './present';
import { appCells, ENVIRONMENT_HEADER, environmentCells } from './render-markdown';
import { STATE_COLOURS } from './render-mermaid';

/** Text as HTML: every markup character escaped (refs, descriptions and titles are user data). */
export function html(text: string): string {
  return text.replace(
    /[&<>"'`]/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;', '`': '&#96;' })[c]!,
  );
}

const CSS = `
*{box-sizing:border-box}
body{margin:0;padding:32px;font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,Ubuntu,sans-serif;color:#0f172a;background:#f8fafc}
h1{font-size:24px;margin:0 0 4px}h2{font-size:18px;margin:32px 0 12px}
.meta{color:#475569;margin:0 0 24px}
.flow{display:flex;align-items:stretch;gap:0;overflow-x:auto;padding:8px 0 16px;list-style:none;margin:0}
.env{flex:0 0 290px;border:2px solid;border-radius:12px;padding:14px 16px;box-shadow:0 1px 3px rgba(15,23,42,.12)}
.env h3{margin:0 0 6px;font-size:18px}
.env .state{display:inline-block;font-weight:600;font-size:13px;text-transform:uppercase;letter-spacing:.04em;margin-bottom:8px}
.env .state::before{content:"";display:inline-block;width:10px;height:10px;border-radius:50%;background:currentColor;margin-right:6px}
.env dl{margin:0;font-size:13px}.env dt{color:#475569;float:left;clear:left;width:52px}.env dd{margin:0 0 2px 52px;word-break:break-word}
code{font:12px ui-monospace,SFMono-Regular,Menlo,Consolas,monospace}
.arrow{flex:0 0 130px;display:flex;flex-direction:column;justify-content:center;align-items:center;padding:0 8px;text-align:center;font-size:12.5px;color:#334155}
.arrow .line{width:100%;height:0;border-top:2px solid #64748b;position:relative;margin:6px 0}
.arrow .line::after{content:"";position:absolute;right:-2px;top:-7px;border:6px solid transparent;border-left:10px solid #64748b}
.arrow.waits .line{border-top-style:dashed;border-color:#b45309}.arrow.waits .line::after{border-left-color:#b45309}
.arrow .count{font-weight:600}.arrow.waits .count{color:#b45309}
table{border-collapse:collapse;width:100%;background:#fff;border:1px solid #cbd5e1;font-size:14px}
caption{text-align:left;font-weight:600;padding:0 0 8px}
th,td{border-bottom:1px solid #e2e8f0;padding:8px 10px;text-align:left;vertical-align:top}
thead th{background:#f1f5f9}tbody th{font-weight:600}
table{margin-top:24px}
.notes{color:#7c2d12;background:#fff7ed;border:1px solid #fdba74;border-radius:8px;padding:8px 16px}
footer{margin-top:32px;color:#64748b;font-size:13px}
@media (prefers-color-scheme: dark){body{background:#0f172a;color:#e2e8f0}.meta,footer{color:#94a3b8}table{background:#1e293b;border-color:#334155}th{background:#334155}td{border-color:#334155}.arrow{color:#cbd5e1}}
`;

function stateCss(): string {
  return Object.entries(STATE_COLOURS)
    .map(([s, [fill, stroke, text]]) => `.s-${s}{background:${fill};border-color:${stroke};color:${text}}`)
    .join('\n');
}

function box(e: BoardEnvironment, board: Board): string {
  const row = (k: string, v: string) => (v ? `<dt>${k}</dt><dd>${v}</dd>` : '');
  return `<li class="env s-${e.state}"><h3>${html(e.environment)}</h3>
<span class="state">${html(STATE_LABEL[e.state])}</span>
<dl>${row('runs', e.sha ? `<code>${html(e.ref)}</code><br><code>@ ${html(short(e.sha))}</code>` : '—')}${row('since', html(sinceText(e, board)))}${row('drift', html(e.drift))}${row('parity', html(e.parity))}${
    e.attempt
      ? row(
          'newest',
          `<code>${html(`${e.attempt.ref} @ ${short(e.attempt.sha)}`)}</code> ${html(STATE_LABEL[e.attempt.state])}`,
        )
      : ''
  }</dl></li>`;
}

function arrow(e: BoardEnvironment): string {
  const w = e.waiting;
  const text = w.length
    ? `<span class="count">${w.length} waiting</span>${w.map((x) => `<span>${html(`${waitingName(x)}: ${REASON_LABEL[x.reason]}`)}</span>`).join('')}`
    : '<span class="count">up to date</span>';
  return `<li class="arrow${w.length ? ' waits' : ''}" aria-label="${html(w.length ? `waiting for ${e.environment}: ${w.map(waitingLine).join('; ')}` : `${e.environment} is up to date`)}">${text}<span class="line" aria-hidden="true"></span></li>`;
}

function tableHtml(caption: string, header: string[], rows: string[][]): string {
  const head = header.map((h) => `<th scope="col">${html(h)}</th>`).join('');
  const body = rows
    .map(
      (r) =>
        `<tr>${r.map((c, i) => (i === 0 ? `<th scope="row">${html(c)}</th>` : `<td>${html(c)}</td>`)).join('')}</tr>`,
    )
    .join('\n');
  return `<table><caption>${html(caption)}</caption><thead><tr>${head}</tr></thead><tbody>${body}</tbody></table>`;
}

/** A self-contained page: inline CSS, the flow drawn with HTML boxes, no script and no network. */
export function boardHtml(board: Board, repository = ''): string {
  const flow = board.environments.map((e, i) => `${i ? arrow(e) : ''}${box(e, board)}`).join('\n');
  const apps = board.apps.length ? appCells(board) : undefined;
  const title = `Promotion board${repository ? ` — ${repository}` : ''}`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>${html(title)}</title><style>${CSS}${stateCss()}</style></head>
<body><main>
<h1>${html(title)}</h1>
<p class="meta">Where every environment is, read from Git and the hosting service at ${html(when(board.generatedAt))}. Main branch: <code>${html(board.mainBranch)}</code>.</p>
<h2 id="flow">Environments in promotion order</h2>
<ol class="flow" aria-labelledby="flow">${flow}</ol>
${tableHtml('Environments', ENVIRONMENT_HEADER, environmentCells(board))}
${apps ? `<h2>Images</h2>${tableHtml('Image tag per environment (open promotion pull requests in brackets)', apps.header, apps.rows)}` : ''}
${board.notes.length ? `<h2>Notes</h2><ul class="notes">${board.notes.map((n) => `<li>${html(n)}</li>`).join('')}</ul>` : ''}
<h2>Details</h2>
${tableHtml(
  'What each environment reported',
  ['environment', 'description'],
  board.environments.map((e) => [e.environment, e.description || '—']),
)}
</main><footer>gitops-promote promotion-board</footer></body></html>
`;
}
