import assert from 'node:assert/strict';
import { test } from 'node:test';
import { escapeHtml, html } from '../../src/vscode/panel/html';

test('escapeHtml neutralises markup and attribute breakouts', () => {
  assert.equal(escapeHtml('<script>alert(1)</script>'), '&lt;script&gt;alert(1)&lt;/script&gt;');
  assert.equal(escapeHtml('"><img src=x onerror=alert(1)>'), '&quot;&gt;&lt;img src=x onerror=alert(1)&gt;');
  assert.equal(escapeHtml("it's & co"), 'it&#39;s &amp; co');
  assert.equal(escapeHtml(undefined), '');
});

test('the html template escapes values, keeps nested templates, joins arrays', () => {
  const hostile = '<b onmouseover="x">';
  const page = html`<ul>${['a<', 'b'].map((item) => html`<li title="${hostile}">${item}</li>`)}</ul>`;
  assert.equal(
    page.value,
    '<ul><li title="&lt;b onmouseover=&quot;x&quot;&gt;">a&lt;</li><li title="&lt;b onmouseover=&quot;x&quot;&gt;">b</li></ul>',
  );
});
