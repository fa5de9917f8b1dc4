/* The widget's style sheet, inside its Shadow DOM (the page's styles cannot reach it, nor
 * it the page's). Served inside widget.js's one function, before widget.js
 * (widget/embed.go); classes and the hidden attribute only, no inline styles. */
var LivedeskCSS = ':host{all:initial}*{box-sizing:border-box;font:14px/1.4 system-ui,sans-serif}' +
  '[hidden]{display:none!important}' +
  '.launcher{position:fixed;right:20px;bottom:20px;z-index:2147483000;display:flex;align-items:center;gap:8px;' +
  'border:0;border-radius:24px;padding:12px 18px;background:#1f6feb;color:#fff;cursor:pointer;box-shadow:0 4px 14px rgba(0,0,0,.25)}' +
  '.launcher.off{background:#57606a}.launcher:focus-visible,button:focus-visible,textarea:focus-visible,input:focus-visible{outline:3px solid #f2a900;outline-offset:2px}' +
  '.dot{width:10px;height:10px;border-radius:50%;background:#3fb950}.off .dot{background:#d0d7de}' +
  '.launcher.unread::after{content:"";position:absolute;top:2px;right:2px;width:12px;height:12px;border-radius:50%;background:#e5534b}' +
  '.panel{position:fixed;right:20px;bottom:80px;z-index:2147483001;width:360px;height:520px;max-height:calc(100vh - 100px);' +
  'display:flex;flex-direction:column;background:#fff;color:#1f2328;border-radius:12px;box-shadow:0 8px 30px rgba(0,0,0,.3);overflow:hidden}' +
  'header{display:flex;align-items:center;gap:8px;padding:12px 14px;background:#1f6feb;color:#fff}' +
  'header .t{flex:1;min-width:0}header b{display:block;font-weight:600}header small{display:block;opacity:.9}' +
  'header button{background:transparent;color:#fff;border:1px solid rgba(255,255,255,.6);border-radius:6px;padding:4px 8px;cursor:pointer}' +
  '.banner{padding:8px 14px;background:#fff8c5;border-bottom:1px solid #eac54f}.err{color:#cf222e;font-size:12px}' +
  '.info{padding:6px 14px;background:#f6f8fa;color:#57606a;border-bottom:1px solid #d0d7de}' +
  '.chat,.off-view{flex:1;display:flex;flex-direction:column;min-height:0}' +
  '.msgs{flex:1;overflow-y:auto;padding:12px;display:flex;flex-direction:column;gap:6px}' +
  '.msg{max-width:80%;padding:8px 10px;border-radius:10px;background:#f0f2f5;align-self:flex-start;white-space:pre-wrap;overflow-wrap:anywhere}' +
  '.msg.visitor{align-self:flex-end;background:#1f6feb;color:#fff}.msg.system{align-self:center;background:none;color:#57606a;font-style:italic}' +
  '.msg.pending{opacity:.6}.msg.failed{border:1px solid #cf222e}.who{font-size:12px;font-weight:600;color:#57606a}.msg small{display:block;font-size:11px;opacity:.8}' +
  '.typing{padding:0 14px 4px;color:#57606a;font-style:italic}' +
  '.compose{display:flex;gap:8px;padding:10px;border-top:1px solid #d0d7de}' +
  'textarea,input{width:100%;border:1px solid #d0d7de;border-radius:6px;padding:8px;color:#1f2328;background:#fff}' +
  '.compose textarea{resize:none;height:42px}' +
  '.btn{border:0;border-radius:6px;padding:8px 14px;background:#1f6feb;color:#fff;cursor:pointer}.btn:disabled{opacity:.5;cursor:default}' +
  'form.of{flex:1;min-height:0;overflow-y:auto;padding:12px 14px;display:flex;flex-direction:column;gap:10px}form.of label{display:block;font-weight:600;margin-bottom:3px}' +
  'form.of .cb label{display:inline;font-weight:400}form.of .cb input{width:auto;margin-right:6px}form.of textarea{min-height:90px;resize:vertical}' +
  '.thanks{padding:24px 14px;text-align:center;font-weight:600}' +
  '.pick{flex:1;min-height:0;overflow-y:auto;padding:12px 14px}.pick .q{margin:0 0 10px;font-weight:600}.depts{display:flex;flex-direction:column;gap:8px}' +
  '.dept{display:block;width:100%;text-align:left;border:1px solid #d0d7de;border-radius:8px;padding:10px 12px;background:#fff;color:#1f2328;cursor:pointer}' +
  '.dept:hover:enabled{border-color:#1f6feb}.dept:disabled{cursor:default;opacity:.7}.dept b{display:block;font-weight:600;overflow-wrap:anywhere}.dept small{display:block;font-size:12px;color:#1a7f37}' +
  '.dept.off{background:#f6f8fa}.dept.off small{color:#57606a}.dept:focus-visible,.link:focus-visible{outline:3px solid #f2a900;outline-offset:2px}' +
  '.deptbar{display:flex;align-items:center;gap:8px;padding:6px 14px;background:#f6f8fa;border-bottom:1px solid #d0d7de}' +
  '.deptbar .t{flex:1;min-width:0}.deptbar b{display:block;font-weight:600;overflow-wrap:anywhere}.deptbar small{display:block;font-size:12px;color:#57606a}.link{border:0;background:none;padding:0;color:#0969da;text-decoration:underline;cursor:pointer}' +
  '@media (max-width:480px){.panel{inset:0;width:100%;height:100%;max-height:none;border-radius:0}}';
