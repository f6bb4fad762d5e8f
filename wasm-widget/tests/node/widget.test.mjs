// Loads the wasm-bindgen output of `satellite-widget` (built into wasm-widget/pkg/ by
// scripts/test) in Node and calls every exported function on real input.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const pkg = new URL('../../pkg/', import.meta.url);
const glue = new URL('satellite_widget.js', pkg);
const wasm = new URL('satellite_widget_bg.wasm', pkg);

if (!existsSync(fileURLToPath(glue)) || !existsSync(fileURLToPath(wasm))) {
  throw new Error(
    `no wasm build in ${fileURLToPath(pkg)}\nhint: run \`scripts/test\`, which builds it with wasm-bindgen first`,
  );
}

const widget = await import(glue.href);
widget.initSync({ module: readFileSync(wasm) });

test('core_version is the workspace version of satellite-core', () => {
  const cargoToml = readFileSync(new URL('../../../Cargo.toml', import.meta.url), 'utf8');
  const match = /\[workspace\.package\][^[]*?\nversion = "([^"]+)"/.exec(cargoToml);
  assert.ok(match, 'the root Cargo.toml declares [workspace.package] version');
  assert.equal(widget.core_version(), match[1]);
});

test('validate_dataset_type_name accepts a valid name', () => {
  assert.deepEqual(widget.validate_dataset_type_name('calexp'), { ok: true, message: null });
});

test('validate_dataset_type_name rejects a name starting with a digit', () => {
  const verdict = widget.validate_dataset_type_name('1bad');
  assert.equal(verdict.ok, false);
  assert.equal(typeof verdict.message, 'string');
  assert.match(verdict.message, /1bad/);
  assert.deepEqual(Object.keys(verdict).sort(), ['message', 'ok']);
});

test('validate_expression accepts a valid expression in a query context', () => {
  const universe = widget.default_universe_json();
  const context = JSON.stringify({ dimensions: ['visit', 'detector'], defaults: { instrument: 'DemoCam' } });
  assert.deepEqual(widget.validate_expression("visit > 100 AND band = 'r'", universe, context), {
    ok: true,
    diagnostics: [],
  });
});

test('validate_expression underlines an unknown field and suggests the near one', () => {
  const universe = widget.default_universe_json();
  const verdict = widget.validate_expression("band = 'r' AND visit.day = 3", universe, '{}');
  assert.equal(verdict.ok, false);
  const [d] = verdict.diagnostics;
  assert.equal(d.kind, 'semantic');
  assert.equal(d.message, "Unrecognized field 'day' for visit.");
  assert.deepEqual(d.suggestions, ['visit.day_obs']);
  assert.equal("band = 'r' AND visit.day = 3".slice(d.start, d.end), 'visit.day');
  assert.match(d.rendered, /\n {2}band = 'r' AND visit\.day = 3\n {17}\^{9}/);
});

test('validate_expression reports syntax errors with the Python Butler message', () => {
  const verdict = widget.validate_expression("visit > AND band = 'r'", widget.default_universe_json());
  assert.equal(verdict.ok, false);
  assert.equal(verdict.diagnostics[0].message, "Syntax error at or near 'AND' (line: 1, pos: 9)");
  assert.equal(verdict.diagnostics[0].start, 8);
});

test('validate_expression never throws on hostile input', () => {
  const universe = widget.default_universe_json();
  for (const text of ['(((((', "T'", '\u0000', 'a'.repeat(10000), '('.repeat(5000), "'\u{1F600}"]) {
    const verdict = widget.validate_expression(text, universe, null);
    assert.equal(typeof verdict.ok, 'boolean');
  }
  assert.equal(widget.validate_expression('visit = 1', 'not json').diagnostics[0].kind, 'context');
});
