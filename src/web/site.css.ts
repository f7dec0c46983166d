/** The site's stylesheet, served at /assets/site.css (a string so the Workers build needs no file access). */
export const siteCss = `
:root{--brand:#b4232a;--brand-dark:#8c1b21;--ink:#1f2328;--muted:#5b636e;--line:#e4e7eb;--bg:#f6f7f9;--card:#fff;--ok:#1a7f37;--warn:#9a6700}
*{box-sizing:border-box}
body{margin:0;font-family:"PingFang SC","Noto Sans CJK SC","Microsoft YaHei","Source Han Sans SC",system-ui,sans-serif;color:var(--ink);background:var(--bg);line-height:1.6}
a{color:var(--brand);text-decoration:none}a:hover{text-decoration:underline}
header.site{background:var(--brand);color:#fff}
header.site .inner{max-width:1120px;margin:0 auto;padding:14px 20px;display:flex;flex-wrap:wrap;gap:8px 24px;align-items:center}
header.site .logo{font-size:22px;font-weight:700;color:#fff;letter-spacing:1px}
header.site .tagline{opacity:.85;font-size:14px}
header.site nav{margin-left:auto;display:flex;flex-wrap:wrap;align-items:center;gap:6px 18px}header.site nav a{color:#fff;opacity:.92;white-space:nowrap}header.site nav .unread-count{display:inline-block;min-width:18px;margin-left:4px;padding:0 5px;border-radius:9px;background:#fff;color:var(--brand);font-weight:700;font-size:12px;line-height:18px;text-align:center}
header.site nav form{margin:0;display:flex}
@media (max-width:1200px){header.site .tagline{display:none}}@media (max-width:800px){header.site nav{margin-left:0;gap:6px 14px}}
main{max-width:1120px;margin:0 auto;padding:24px 20px 48px}
.hero{background:var(--card);border:1px solid var(--line);border-radius:10px;padding:28px;margin-bottom:24px}
.hero h1{margin:0 0 6px;font-size:26px}.hero p{margin:0 0 18px;color:var(--muted)}
form.search{display:flex;gap:8px}
form.search input[type=search]{flex:1;font-size:16px;padding:10px 14px;border:1px solid #c9ced6;border-radius:8px}
button,.button{background:var(--brand);color:#fff;border:0;border-radius:8px;padding:10px 18px;font-size:15px;line-height:1.4;font-family:inherit;cursor:pointer}
button:hover{background:var(--brand-dark)}
.layout{display:grid;grid-template-columns:240px 1fr;gap:24px}
@media (max-width:800px){.layout{grid-template-columns:1fr}.layout>*{min-width:0}}
button,.button{white-space:nowrap}a.button{display:inline-block}a.button:hover{text-decoration:none;background:var(--brand-dark)}
nav.shortcuts{display:flex;flex-wrap:wrap;gap:8px;margin:0 0 16px}nav.shortcuts a{background:var(--card);border:1px solid var(--line);border-radius:8px;padding:8px 14px;font-size:14px}nav.shortcuts a:hover{border-color:var(--brand);text-decoration:none}
details.dispute{display:inline-block;margin-left:8px}details.dispute summary{color:var(--brand);cursor:pointer;font-size:14px}details.dispute[open]{display:block;margin:8px 0 0}
.engagement form{display:grid;gap:8px;max-width:720px;margin-top:12px}.engagement textarea{width:100%;box-sizing:border-box;font:inherit;padding:8px 10px;border:1px solid #c9ced6;border-radius:8px}.engagement form button{justify-self:start}
.reasons{margin:6px 0 10px;padding-left:20px;font-size:14px;color:var(--muted)}.score{font-size:13px;font-weight:600;color:var(--brand);margin-left:4px}
/* Phones: each facet is one row of chips that scrolls sideways, so the results start on the first
   screen instead of below twenty facet lines; wide tables scroll inside the page, not the page. */
@media (max-width:800px){aside.facets ul{display:flex;gap:6px;overflow-x:auto;padding-bottom:4px}aside.facets li{flex:none;gap:6px;border:1px solid var(--line);border-radius:14px;padding:2px 10px}main table{display:block;overflow-x:auto;max-width:100%}}
aside.facets{background:var(--card);border:1px solid var(--line);border-radius:10px;padding:16px;align-self:start}
aside.facets h3{font-size:14px;margin:14px 0 6px;color:var(--muted)}aside.facets h3:first-child{margin-top:0}
aside.facets ul{list-style:none;margin:0;padding:0}aside.facets li{display:flex;justify-content:space-between;font-size:14px;padding:2px 0}
aside.facets li.active a{font-weight:700}aside.facets .count{color:var(--muted)}
.cards{display:grid;gap:14px}
.card{background:var(--card);border:1px solid var(--line);border-radius:10px;padding:16px 18px}
.card h2{font-size:18px;margin:0 0 6px}.card h2 a{color:var(--ink)}
.meta{display:flex;flex-wrap:wrap;gap:6px 16px;font-size:13px;color:var(--muted)}
.reward{color:var(--brand);font-weight:700}
.badge{display:inline-block;font-size:12px;padding:1px 8px;border-radius:10px;background:#eef1f4;color:var(--muted)}
.badge.published{background:#e6f4ea;color:var(--ok)}.badge.bidding_closed{background:#fff4e5;color:var(--warn)}
.snippet{font-size:14px;color:#39414a;margin:6px 0 0}
mark{background:#ffe58f;color:inherit;padding:0 1px}
.detail h1{font-size:24px;margin:0 0 8px}
.detail section{background:var(--card);border:1px solid var(--line);border-radius:10px;padding:18px 20px;margin-top:16px}
.detail section h2{font-size:16px;margin:0 0 8px}
.facts{display:grid;grid-template-columns:repeat(auto-fill,minmax(200px,1fr));gap:10px}
.facts div{background:var(--card);border:1px solid var(--line);border-radius:8px;padding:10px 12px}
.facts dt{font-size:12px;color:var(--muted)}.facts dd{margin:0;font-weight:600}
ol.history{margin:0;padding-left:18px;font-size:14px}
.pager{display:flex;gap:12px;justify-content:center;margin-top:18px}
.empty{background:var(--card);border:1px dashed var(--line);border-radius:10px;padding:28px;text-align:center;color:var(--muted)}
.range{display:flex;gap:6px}.range input{width:100%;padding:6px;border:1px solid #c9ced6;border-radius:6px}
footer.site{text-align:center;color:var(--muted);font-size:13px;padding:24px}
.error-page{background:var(--card);border:1px solid var(--line);border-radius:10px;padding:32px}
/* forms (account, organisation and authoring pages) */
.narrow{max-width:520px;margin:0 auto}
.panel{background:var(--card);border:1px solid var(--line);border-radius:10px;padding:20px 22px;margin-bottom:18px}
.panel h1,.panel h2{margin:0 0 12px;font-size:20px}
.field{display:flex;flex-direction:column;gap:4px;margin-bottom:14px}
.field label{font-weight:600;font-size:14px}
.field input,.field select,.field textarea{font-size:15px;padding:9px 12px;border:1px solid #c9ced6;border-radius:8px;font-family:inherit}
.field.invalid input,.field.invalid select,.field.invalid textarea{border-color:var(--brand)}
.field .hint{color:var(--muted)}.field .error{color:var(--brand)}
.form-errors{background:#fdecec;color:var(--brand-dark);border-radius:8px;padding:10px 14px;margin-bottom:14px}
.notice{background:#e6f4ea;color:var(--ok);border-radius:8px;padding:10px 14px;margin-bottom:14px;word-break:break-all}
table.list{width:100%;border-collapse:collapse;font-size:14px}table.list th,table.list td{text-align:left;padding:6px 8px;border-bottom:1px solid var(--line)}
form.inline{display:inline}button.link{background:none;color:var(--brand);padding:0;font-size:14px}
.row{display:flex;gap:12px;flex-wrap:wrap;align-items:flex-end}.row>form.inline{display:flex}
.nav-logout button{background:none;padding:0;font-size:inherit;font-family:inherit;line-height:inherit;color:#fff;opacity:.92}
fieldset{border:1px solid var(--line);border-radius:8px;padding:10px 14px;margin:0 0 12px}legend{font-weight:600;font-size:14px;padding:0 4px}
fieldset.picker-list{border:1px solid var(--line);border-radius:8px;padding:8px 12px}fieldset.picker-list legend{font-weight:600;font-size:14px}
.picker-items{max-height:14em;overflow:auto;display:flex;flex-direction:column}.picker-items label{font-weight:400}
.picker-filter{font-size:14px;padding:6px 10px;border:1px solid #c9ced6;border-radius:8px;margin-bottom:4px}
svg a:hover path,svg a:focus path{stroke:#222;stroke-width:2}
`;

/** A red 榜 seal as the site icon. */
export const faviconSvg =
  '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64"><rect width="64" height="64" rx="12" fill="#b4232a"/><text x="32" y="46" font-size="40" text-anchor="middle" fill="#fff" font-family="sans-serif">榜</text></svg>';
