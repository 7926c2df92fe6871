/**
 * A corpus of cross-site scripting payloads: 40 classic vectors (script tags, event handlers,
 * javascript: URLs, SVG/MathML tricks, attribute break-outs, template injection, entity and
 * URL encodings), each in 5 spellings, 200 in all. Each one, if it ever ran, would call
 * `xss(n)` with its own number, so a test can tell which one got through.
 */
const VECTORS: ((n: number) => string)[] = [
  (n) => `<script>xss(${n})</script>`,
  (n) => `<img src=x onerror=xss(${n})>`,
  (n) => `<svg onload=xss(${n})>`,
  (n) => `"><script>xss(${n})</script>`,
  (n) => `'><img src=x onerror=xss(${n})>`,
  (n) => `javascript:xss(${n})`,
  (n) => `<iframe src="javascript:xss(${n})"></iframe>`,
  (n) => `<body onload=xss(${n})>`,
  (n) => `<a href="javascript:xss(${n})">click</a>`,
  (n) => `<details open ontoggle=xss(${n})>`,
  (n) => `<input autofocus onfocus=xss(${n})>`,
  (n) => `<video><source onerror=xss(${n})></video>`,
  (n) => `<math><mtext><table><mglyph><style><img src=x onerror=xss(${n})>`,
  (n) => `{{constructor.constructor('xss(${n})')()}}`,
  (n) => `\${xss(${n})}`,
  (n) => `<marquee onstart=xss(${n})>`,
  (n) => `<object data="javascript:xss(${n})"></object>`,
  (n) => `<embed src="javascript:xss(${n})">`,
  (n) => `<svg><script>xss(${n})</script></svg>`,
  (n) => `<img src=x onerror="&#x78;&#x73;&#x73;(${n})">`,
  (n) => `<style>@import 'javascript:xss(${n})'</style>`,
  (n) => `<base href="javascript:xss(${n})//">`,
  (n) => `<form action="javascript:xss(${n})"><button>go</button></form>`,
  (n) => `\\u003cimg src=x onerror=xss(${n})\\u003e`,
  (n) => `%3Cimg%20src%3Dx%20onerror%3Dxss(${n})%3E`,
  (n) => `<img src=x:x onerror=xss(${n})//`,
  (n) => `<div style="background:url(javascript:xss(${n}))">`,
  (n) => `<meta http-equiv="refresh" content="0;url=javascript:xss(${n})">`,
  (n) => `</textarea><img src=x onerror=xss(${n})>`,
  (n) => `</title><img src=x onerror=xss(${n})>`,
  (n) => `<noscript><p title="</noscript><img src=x onerror=xss(${n})>">`,
  (n) => `<svg><animate onbegin=xss(${n}) attributeName=x dur=1s>`,
  (n) => `<audio src onerror=xss(${n})>`,
  (n) => `" onmouseover="xss(${n})`,
  (n) => `' onfocus='xss(${n})' autofocus='`,
  (n) => `<img srcset=",,,,x" onerror=xss(${n})>`,
  (n) => `<link rel=import href="data:text/html,<script>xss(${n})</script>">`,
  (n) => `<svg><a xlink:href="javascript:xss(${n})"><text y=20>x</text></a></svg>`,
  (n) => `<x contenteditable onblur=xss(${n})>lose focus`,
  (n) => `<img src=x onerror=xss(${n}) data-xss=${n}>`,
];

const SPELLINGS: ((payload: string) => string)[] = [
  (p) => p,
  (p) => p.replace(/<([a-z])/g, (_m, c: string) => `<${c.toUpperCase()}`),
  (p) => `order ${p} total`,
  (p) => JSON.stringify({ note: p }),
  (p) => `${p}${p.length % 2 === 0 ? '' : ' '}`.replace(/ /g, '\t'),
];

export interface Payload {
  n: number;
  text: string;
}

export const XSS_CORPUS: Payload[] = VECTORS.flatMap((vector, v) =>
  SPELLINGS.map((spell, s) => {
    const n = v * SPELLINGS.length + s + 1;
    return { n, text: spell(vector(n)) };
  }),
);

/** Elements that only an injected payload could have put in the page. */
export const INJECTED_SELECTOR =
  'main script, main iframe, main object, main embed, main marquee, main video, main audio, main base, main meta, main math, main form[action^="javascript"], main [onerror], main [onload], main [onfocus], main [ontoggle], main [onmouseover], main [onbegin], main [data-xss], main a[href^="javascript"]';
