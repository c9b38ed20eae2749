// The page's style sheet, inlined in a <style> element (the Content-Security-Policy allows inline
// styles only): plain CSS, no web font, no url().
export const CSS = `
:root{--fg:#1f2328;--muted:#656d76;--line:#d8dee4;--bg:#f6f8fa;--card:#fff;--good:#1a7f37;--good-bg:#dafbe1;--bad:#cf222e;--bad-bg:#ffebe9;--warn-bg:#fff8c5;--accent:#0969da}
*{box-sizing:border-box}
body{margin:0;background:var(--bg);color:var(--fg);font:14px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif}
main{max-width:1200px;margin:0 auto;padding:24px 20px 48px}
h1{font-size:24px;margin:0 0 8px;overflow-wrap:anywhere}
h2{font-size:18px;margin:0 0 12px}
h3{font-size:15px;margin:0 0 2px;overflow-wrap:anywhere}
header,section,footer{background:var(--card);border:1px solid var(--line);border-radius:8px;padding:16px 20px;margin:0 0 16px}
code{font:12px ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;background:var(--bg);padding:1px 4px;border-radius:4px;overflow-wrap:anywhere}
.meta{display:grid;grid-template-columns:max-content 1fr;gap:2px 16px;margin:8px 0 0}
.meta dt{color:var(--muted)}
.meta dd{margin:0;overflow-wrap:anywhere}
.badges{margin:0 0 4px}
.badge{display:inline-block;padding:1px 8px;border-radius:999px;font-size:12px;font-weight:600;white-space:nowrap;border:1px solid transparent}
.badge.good{background:var(--good-bg);color:var(--good);border-color:#aceebb}
.badge.bad{background:var(--bad-bg);color:var(--bad);border-color:#ffcecb}
.badge.neutral{background:#eaeef2;color:var(--muted)}
.badge.info{background:#ddf4ff;color:var(--accent)}
.tag{display:inline-block;padding:0 6px;border-radius:4px;font-size:11px;font-weight:600;background:#eaeef2;color:var(--muted)}
.tag.good{background:var(--good-bg);color:var(--good)}
.tag.warnt{background:var(--warn-bg);color:#9a6700}
.good{color:var(--good)}
.bad{color:var(--bad)}
.muted{color:var(--muted)}
.small{display:block;font-size:11px;color:var(--muted)}
.big{display:block;font-weight:600}
.alert{padding:8px 12px;border-radius:6px}
.alert.bad{background:var(--bad-bg);border:1px solid #ffcecb}
.cards{display:grid;grid-template-columns:repeat(auto-fit,minmax(240px,1fr));gap:12px;background:none;border:0;padding:0}
.card{background:var(--card);border:1px solid var(--line);border-radius:8px;padding:12px 16px;overflow-wrap:anywhere}
.card h2{font-size:12px;text-transform:uppercase;letter-spacing:.04em;color:var(--muted);margin:0 0 4px}
.scroll{overflow-x:auto}
table{border-collapse:collapse;width:100%;font-size:13px}
th,td{padding:6px 8px;border-bottom:1px solid var(--line);text-align:left;vertical-align:top}
th{background:var(--bg);font-weight:600}
td{overflow-wrap:break-word}
.num{text-align:right;font-variant-numeric:tabular-nums}
td.num{white-space:nowrap}
tr.warn td{background:#fffbea}
tr.breach td{background:var(--bad-bg)}
td.regress{background:#ffd8d3;color:var(--bad)}
table.slo td:first-child{width:30%}
td.err{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:12px}
figure{margin:0;min-width:0}
figure svg{display:block;max-width:100%;height:auto}
.grid2{display:grid;grid-template-columns:repeat(auto-fit,minmax(min(100%,460px),1fr));gap:16px 24px;align-items:start}
.grid2 .span{grid-column:1/-1}
.swatch{display:inline-block;width:14px;height:3px;border-radius:2px;vertical-align:middle;margin:0 4px 0 6px}
.stages{display:grid;grid-template-columns:repeat(auto-fit,minmax(min(100%,460px),1fr));gap:16px}
.stage{border:1px solid var(--line);border-radius:8px;padding:12px;min-width:0}
.stage p{margin:0 0 6px;font-size:12px}
ul.plain{padding-left:18px;margin:0}
ul.plain li{margin:4px 0;overflow-wrap:anywhere}
footer ul{padding-left:18px}
@media (max-width:520px){main{padding:12px 8px}header,section,footer{padding:12px}}
`;
