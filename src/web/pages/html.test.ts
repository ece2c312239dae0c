import assert from 'node:assert/strict';
import { test } from 'node:test';
import { attr, escapeHtml, html } from './html.js';

test('interpolated values are escaped, in text and in attributes', () => {
  const name = `<img src=x onerror=alert(1)> "quoted" & 'single'`;
  const out = html`<p title="${name}">${name}</p>`.text;
  assert.equal(
    out,
    '<p title="&lt;img src=x onerror=alert(1)&gt; &quot;quoted&quot; &amp; &#39;single&#39;">' +
      '&lt;img src=x onerror=alert(1)&gt; &quot;quoted&quot; &amp; &#39;single&#39;</p>',
  );
  assert.ok(!out.includes('<img'));
});

test('nested templates and lists stay markup; empty values vanish', () => {
  const items = ['a<b', 'c'].map((x) => html`<li>${x}</li>`);
  // prettier-ignore
  const list = html`<ul>${items}${undefined}${false}</ul>`;
  assert.equal(list.text, '<ul><li>a&lt;b</li><li>c</li></ul>');
  assert.equal(escapeHtml('plain'), 'plain');
});

test('optional attributes appear only with a value, escaped', () => {
  // prettier-ignore
  const a = html`<a${attr('rel', undefined)}${attr('title', '"x"')}${attr('hidden', false)}>`;
  assert.equal(a.text, '<a title="&quot;x&quot;">');
});
