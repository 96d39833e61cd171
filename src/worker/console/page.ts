// The console page's HTML and CSS (served by console/routes.ts): the sign-in form and the four
// tabs' empty frames, which the script fills.
export const PAGE_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>keyflare console</title>
<link rel="stylesheet" href="/console/app.css">
<script src="/console/app.js" defer></script>
</head>
<body>
<header>
  <strong>keyflare</strong> console
  <span id="who" class="muted"></span>
  <nav class="in">
    <button data-tab="browser">Data</button><button data-tab="command">Command</button><button data-tab="cluster">Cluster</button><button data-tab="stats">Stats</button>
    <button id="signout">Sign out</button>
  </nav>
</header>
<form id="signin" class="out" autocomplete="off">
  <h1>Sign in</h1>
  <p>The token (KEYFLARE_TOKEN, or KEYFLARE_READONLY_TOKEN for a read-only console). It is kept in this tab's session storage only.</p>
  <input id="token" type="password" placeholder="token" autocomplete="off">
  <button type="submit">Sign in</button>
  <div id="signin-msg" class="err"></div>
</form>
<main class="in">
  <section class="tab" id="tab-browser" hidden>
    <div class="row">
      <input id="pattern" value="*" placeholder="pattern (SCAN MATCH)">
      <select id="type"><option value="">any type</option><option>string</option><option>list</option><option>hash</option><option>set</option><option>zset</option><option>stream</option></select>
      <button id="scan">Scan</button>
      <button id="prev" disabled>‹ prev</button><button id="next" disabled>next ›</button>
      <span id="pageinfo" class="muted"></span>
    </div>
    <div id="adder"></div>
    <div class="split"><div id="keys"></div><div id="detail"></div></div>
  </section>
  <section class="tab" id="tab-command" hidden>
    <div id="cmd-out"></div>
    <input id="cmd" placeholder="a command, as in redis-cli (↑/↓: history)" autocomplete="off" spellcheck="false">
  </section>
  <section class="tab" id="tab-cluster" hidden>
    <h2>Slots</h2>
    <div id="strip"></div>
    <div class="scale"><span>0</span><span>8192</span><span>16383</span></div>
    <div id="shards" class="cards"></div>
    <div id="cluster-updated" class="muted"></div>
  </section>
  <section class="tab" id="tab-stats" hidden>
    <div id="charts" class="cards"></div>
    <h2>Slow log</h2>
    <div id="slowlog"></div>
  </section>
</main>
</body>
</html>
`;

export const PAGE_CSS = `*{box-sizing:border-box}
body{margin:0;font:14px/1.4 system-ui,sans-serif;color:#1d2330;background:#f5f6f8}
header{display:flex;gap:12px;align-items:center;padding:8px 16px;background:#1d2330;color:#fff}
header nav{margin-left:auto}
header .muted{color:#aab}
button{font:inherit;padding:3px 10px;border:1px solid #99a;border-radius:4px;background:#fff;cursor:pointer}
button.on{background:#f38020;color:#fff;border-color:#f38020}
button.danger{border-color:#c33;color:#c33}
button:disabled{opacity:.4;cursor:default}
input,select,textarea{font:inherit;padding:3px 6px;border:1px solid #99a;border-radius:4px}
textarea{width:100%;font-family:ui-monospace,monospace}
.in{display:none}
body.signed-in .in{display:block}
body.signed-in header nav.in{display:flex;gap:4px}
body.signed-in .out{display:none}
body.readonly .write{display:none}
form#signin{max-width:420px;margin:64px auto;padding:24px;background:#fff;border-radius:8px;box-shadow:0 1px 4px #0002}
form#signin input{width:100%;margin:8px 0}
main{padding:16px}
.row{display:flex;gap:6px;flex-wrap:wrap;align-items:center;margin:6px 0}
.split{display:grid;grid-template-columns:minmax(260px,1fr) 2fr;gap:16px}
.grid{border-collapse:collapse;width:100%;background:#fff}
.grid th,.grid td{border-bottom:1px solid #e3e5ea;padding:3px 6px;text-align:left;vertical-align:top}
tr.key{cursor:pointer}
tr.key:hover{background:#fff4e8}
.bin{font-family:ui-monospace,monospace;color:#7a3e9d}
.txt,.v{white-space:pre-wrap;word-break:break-all}
pre{margin:4px 0;white-space:pre-wrap;word-break:break-all;font:13px/1.35 ui-monospace,monospace}
.err{color:#b00020}
.muted{color:#778}
.facts{display:grid;grid-template-columns:auto 1fr;gap:2px 12px;margin:0 0 8px}
.facts dt{color:#778}
.facts dd{margin:0}
.t-string{color:#4e79a7}.t-list{color:#f28e2b}.t-hash{color:#59a14f}.t-set{color:#e15759}.t-zset{color:#b07aa1}.t-stream{color:#9c755f}
#cmd-out{height:60vh;overflow:auto;background:#10131a;color:#dde;padding:8px;border-radius:6px}
#cmd-out .prompt{color:#f9a65a}
#cmd-out .error{color:#ff8a8a}
#cmd{width:100%;margin-top:6px;font-family:ui-monospace,monospace}
#strip{position:relative;height:36px;background:#ddd;border-radius:4px;overflow:hidden}
#strip .seg{position:absolute;top:0;bottom:0;border-right:1px solid #fff8}
.scale{display:flex;justify-content:space-between;color:#778;font-size:12px}
.cards{display:flex;flex-wrap:wrap;gap:12px;margin-top:12px}
.card{background:#fff;border-radius:6px;padding:10px 14px;box-shadow:0 1px 3px #0002;min-width:200px}
.card h3{margin:0 0 4px;font-size:15px}
.dot{display:inline-block;width:10px;height:10px;border-radius:5px;margin-right:6px}
.spark{width:240px;height:60px;display:block}
.spark polyline{fill:none;stroke:#f38020;stroke-width:1.5}
.pager{margin:4px 0}
.modes button{margin-right:4px}
`;
